"""`retrigger validate models:/m/N [--promote]`: a version registered outside retrigger, judged
by the retrain's gate (both models scored on validation.data) on a real MLflow store."""

from __future__ import annotations

import json
from pathlib import Path

from tests.models.conftest import Small, fitted, registered, save
from tests.support.cli import run_cli


def champion_and_challenger(small: Small, tmp_path: Path) -> tuple[str, str, str]:
    """A poor champion, then a good and a poor version registered by someone else."""
    good, _ = fitted(small.root)
    poor, _ = fitted(small.root, flip=True)
    champion = registered(small, save(poor, tmp_path / "champion"))
    assert run_cli("champion", "set", champion, "-c", str(small.config)).code == 0
    better = registered(small, save(good, tmp_path / "better"))
    worse = registered(small, save(poor, tmp_path / "worse"))
    return champion, better, worse


def champion_version(small: Small) -> str:
    return str(small.client().get_model_version_by_alias("m", "champion").version)


def test_a_better_version_passes_and_is_promoted_only_when_asked(
    small: Small, tmp_path: Path
) -> None:
    champion, better, _ = champion_and_challenger(small, tmp_path)
    uri = f"models:/m/{better}"

    judged = run_cli("validate", uri, "-c", str(small.config), "--json")
    still = champion_version(small)
    promoted = run_cli("validate", uri, "--promote", "-c", str(small.config), "--json")

    assert judged.code == 0, judged.err
    first = json.loads(judged.out)
    assert (first["passed"], first["promoted"]) == (True, False)
    assert first["validation"]["data"].startswith("rows.csv (200 rows")
    assert still == champion
    assert promoted.code == 0, promoted.err
    assert json.loads(promoted.out)["previous_champion"] == champion
    assert champion_version(small) == better
    story = json.loads(run_cli("explain", uri, "-c", str(small.config), "--json").out)
    assert [v["action"] for v in story["validations"]] == ["validate.passed", "validate.promoted"]
    tag = small.client().get_model_version("m", better).tags["retrigger.validation"]
    assert tag.startswith(f"accuracy 0.985 vs champion v{champion} 0.015") and "≥ required" in tag


def test_a_worse_version_is_refused_exit_1_and_never_promoted(small: Small, tmp_path: Path) -> None:
    _, better, worse = champion_and_challenger(small, tmp_path)
    assert run_cli("champion", "set", better, "-c", str(small.config)).code == 0

    refused = run_cli("validate", worse, "--promote", "-c", str(small.config))

    assert refused.code == 1
    assert f"models:/m/{worse}: validation REFUSED" in refused.out
    assert "not better than the model in production" in refused.out
    assert champion_version(small) == better


def test_validate_refuses_bad_targets_with_exit_2(small: Small, tmp_path: Path) -> None:
    champion, _, _ = champion_and_challenger(small, tmp_path)

    missing = run_cli("validate", "models:/m/99", "-c", str(small.config))
    garbage = run_cli("validate", "latest", "-c", str(small.config))
    itself = run_cli("validate", champion, "-c", str(small.config))

    assert missing.code == 2 and "models:/m/99 does not exist" in missing.err
    assert garbage.code == 2 and "not a version number" in garbage.err
    assert itself.code == 2 and "already holds @champion" in itself.err
