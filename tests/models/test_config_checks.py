"""Bad input about models and validation: exit 2, one line, found by `config validate` before
any `dvc repro`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.cli import run_cli

DVC_YAML = {
    "stages": {"train": {"cmd": "python train.py", "outs": ["model.pkl"]}},
    "artifacts": {"clf": {"path": "models/clf.pkl", "type": "model"}},
}


def project(
    tmp_path: Path,
    model: dict[str, object],
    validation: dict[str, object] | None = None,
    csv: str | None = "a,b,label\n1,2,0\n",
) -> Path:
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump(DVC_YAML))
    if csv is not None:
        (tmp_path / "rows.csv").write_text(csv)
    document: dict[str, object] = {"model": {"name": "m", **model}}
    if validation is not None:
        document["validation"] = validation
    path = tmp_path / "retrigger.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.mark.parametrize(
    ("model", "validation", "csv", "message"),
    [
        (
            {"artifact": "model.pkl"},
            {"data": "missing.csv", "target": "label"},
            None,
            "validation.data missing.csv does not exist",
        ),
        (
            {"artifact": "model.pkl"},
            {"data": "rows.csv", "target": "churn"},
            "a,label\n1,0\n",
            "has no column 'churn' (columns: a, label)",
        ),
        (
            {"artifact": "model.pkl"},
            {"data": "rows.csv", "target": "label"},
            "\xff\xfe",
            "validation.data rows.csv cannot be read",
        ),
        (
            {"artifact": "model.pkl"},
            {"data": "rows.csv", "target": "label", "metric": "goodness"},
            None,
            "unknown metric 'goodness'",
        ),
        (
            {"artifact": "model.pkl", "metric": "roc_auc.test"},
            {"data": "rows.csv", "target": "label"},
            None,
            "set validation.metric",
        ),
        ({"artifact": "model.pkl", "flavor": "xgboost"}, None, None, "model.flavor"),
        (
            {"artifact": "model/weights.bin"},
            None,
            None,
            "model.artifact 'model/weights.bin' is not an output of any stage",
        ),
    ],
)
def test_config_validate_refuses_what_would_fail_a_retrain(
    tmp_path: Path,
    model: dict[str, object],
    validation: dict[str, object] | None,
    csv: str | None,
    message: str,
) -> None:
    path = project(tmp_path, model, validation, csv)
    if csv is not None and csv.startswith("\xff"):
        (tmp_path / "rows.csv").write_bytes(b"\xff\xfe\x00bad")

    result = run_cli("config", "validate", "--config", str(path))

    assert result.code == 2, result.out
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err


def test_artifacts_section_and_null_artifact_are_valid_and_a_raw_file_gets_a_note(
    tmp_path: Path,
) -> None:
    declared = project(tmp_path, {"artifact": "models/clf.pkl"})
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "clf.pkl").write_bytes(b"raw")

    noted = run_cli("config", "validate", "--config", str(declared))
    logged = run_cli(
        "config",
        "validate",
        "--config",
        str(project(tmp_path, {"artifact": None}, {"data": "rows.csv", "target": "label"})),
    )
    flavored = run_cli(
        "config",
        "validate",
        "--config",
        str(project(tmp_path, {"artifact": "models/clf.pkl", "flavor": "sklearn"})),
    )

    assert noted.code == 0, noted.err
    assert "will not load with mlflow.pyfunc" in noted.out and "model.flavor" in noted.out
    assert logged.code == 0 and "note:" not in logged.out, logged.err
    assert flavored.code == 0 and "note:" not in flavored.out, flavored.err


def test_a_validation_file_the_pipeline_writes_may_be_absent_before_the_first_repro(
    tmp_path: Path,
) -> None:
    path = project(
        tmp_path, {"artifact": "model.pkl"}, {"data": "models/holdout.csv", "target": "label"}, None
    )
    dvc = dict(DVC_YAML, stages={"train": {"cmd": "x", "outs": ["model.pkl", "models"]}})
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump(dvc))

    assert run_cli("config", "validate", "--config", str(path)).code == 0


def test_performance_source_validation_needs_a_validation_section(tmp_path: Path) -> None:
    path = tmp_path / "retrigger.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "model": {"name": "m"},
                "signals": {"performance": {"min": 0.8, "source": "validation"}},
            }
        )
    )

    result = run_cli("config", "validate", "--config", str(path))

    assert result.code == 2 and "needs a validation section" in result.err
