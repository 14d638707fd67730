"""`retrigger champion set|show` and `retrigger baseline set --from-metrics | models:/…` on a
real MLflow store."""

from __future__ import annotations

import json
from pathlib import Path

from tests.models.conftest import Small, fitted, registered, save
from tests.support.cli import run_cli


def test_champion_set_adopts_an_existing_version_and_show_says_it_loads(
    small: Small, tmp_path: Path
) -> None:
    model, _ = fitted(small.root)
    loadable = registered(small, save(model, tmp_path / "mlmodel"), metric=0.91)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "model.pkl").write_bytes(b"raw bytes")
    unloadable = registered(small, raw)

    first = run_cli("champion", "set", loadable, "-c", str(small.config), "--json")
    shown = json.loads(run_cli("champion", "show", "-c", str(small.config), "--json").out)
    second = json.loads(
        run_cli("champion", "set", f"models:/m/{unloadable}", "-c", str(small.config), "--json").out
    )

    assert first.code == 0, first.err
    assert shown["version"] == loadable and shown["loadable"] is True
    assert shown["recorded_metric"] == 0.91 and shown["uri"] == "models:/m@champion"
    assert second["version"] == unloadable and second["loadable"] is False
    alias = small.client().get_model_version_by_alias("m", "champion")
    assert str(alias.version) == unloadable


def test_champion_set_of_a_version_that_does_not_exist_is_exit_2_and_changes_nothing(
    small: Small,
) -> None:
    registered(small, None)

    missing = run_cli("champion", "set", "7", "-c", str(small.config))
    garbage = run_cli("champion", "set", "latest", "-c", str(small.config))
    shown = run_cli("champion", "show", "-c", str(small.config), "--json")

    assert missing.code == 2 and "models:/m/7 does not exist" in missing.err
    assert garbage.code == 2 and "not a number" in garbage.err
    assert json.loads(shown.out) == {"schema": "retrigger/champion/v1", "version": None}


def test_baseline_from_metrics_logs_every_nested_number(small: Small) -> None:
    (small.root / "eval").mkdir()
    (small.root / "eval" / "metrics.json").write_text(
        json.dumps(
            {
                "accuracy": 0.8,
                "roc_auc": {"train": 0.97, "test": 0.91},
                "note": "text",
                "flag": True,
            }
        )
    )

    result = run_cli(
        "baseline", "set", "--from-metrics", "eval/metrics.json", "-c", str(small.config), "--json"
    )

    assert result.code == 0, result.err
    shown = json.loads(result.out)
    run = small.client().get_run(shown["run_id"])
    assert run.data.metrics == {"accuracy": 0.8, "roc_auc.train": 0.97, "roc_auc.test": 0.91}
    assert run.data.tags["retrigger.baseline"] == "true" and shown["value"] == 0.8


def test_baseline_from_a_file_without_numbers_is_exit_2_and_logs_nothing(small: Small) -> None:
    (small.root / "metrics.json").write_text(json.dumps({"note": "no numbers", "ok": True}))

    result = run_cli("baseline", "set", "--from-metrics", "metrics.json", "-c", str(small.config))

    assert result.code == 2 and "holds no numeric metric" in result.err
    experiment = small.client().get_experiment_by_name("m")
    assert experiment is None or small.client().search_runs([experiment.experiment_id]) == []


def test_baseline_set_accepts_a_registry_version(small: Small, tmp_path: Path) -> None:
    model, _ = fitted(small.root)
    version = registered(small, save(model, tmp_path / "mlmodel"), metric=0.88)
    run_id = small.client().get_model_version("m", version).run_id

    result = run_cli("baseline", "set", f"models:/m/{version}", "-c", str(small.config), "--json")
    unknown = run_cli("baseline", "set", "models:/m@nobody", "-c", str(small.config))

    assert result.code == 0, result.err
    assert json.loads(result.out)["run_id"] == run_id
    assert unknown.code == 2 and "does not exist in the registry" in unknown.err


def test_performance_source_validation_scores_the_champion_on_the_rows(
    small: Small, tmp_path: Path
) -> None:
    import yaml

    model, _ = fitted(small.root, flip=True)  # learned the opposite: new labels expose it
    run_cli(
        "champion", "set", registered(small, save(model, tmp_path / "m")), "-c", str(small.config)
    )
    document = yaml.safe_load(small.config.read_text())
    document["signals"] = {"performance": {"min": 0.5, "source": "validation"}}
    small.config.write_text(yaml.safe_dump(document))

    result = run_cli("check", "-c", str(small.config), "--json")

    assert result.code == 0, result.err
    (performance,) = json.loads(result.out)["signals"]
    assert performance["fired"] is True and performance["value"] < 0.2
    assert "models:/m@champion scored on rows.csv, 200 rows" in performance["detail"]
