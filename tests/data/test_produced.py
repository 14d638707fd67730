"""``produced_from``: the files a pipeline output was computed from, by dvc.lock's md5s."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from retrigger.data.produced import Produced, produced_from


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # DVC's content id


def _lock(root: Path, labelled_md5: str) -> None:
    """label: new.csv + labels.csv → labelled.csv; evaluate: labelled.csv → metrics.json."""
    (root / "metrics.json").write_text('{"accuracy": 0.9}')
    stages = {
        "label": {
            "cmd": "python label.py",
            "deps": [
                {"path": "new.csv", "md5": _md5("x\n1\n")},
                {"path": "labels.csv", "md5": _md5("y\n0\n")},
            ],
            "outs": [{"path": "labelled.csv", "md5": _md5("x,y\n1,0\n")}],
        },
        "evaluate": {
            "cmd": "python evaluate.py",
            "deps": [{"path": "labelled.csv", "md5": labelled_md5}],
            "outs": [{"path": "metrics.json", "md5": _md5('{"accuracy": 0.9}')}],
        },
    }
    (root / "dvc.lock").write_text(yaml.safe_dump({"schema": "2.0", "stages": stages}))


def test_the_inputs_are_followed_upstream_through_the_stage_that_wrote_each(
    tmp_path: Path,
) -> None:
    _lock(tmp_path, _md5("x,y\n1,0\n"))

    found = produced_from(tmp_path, "metrics.json")

    assert isinstance(found, Produced) and found.stage == "evaluate"
    assert found.inputs["new.csv"] == _md5("x\n1\n")  # two stages up
    assert set(found.inputs) == {"labelled.csv", "new.csv", "labels.csv"}


def test_a_broken_link_is_not_followed(tmp_path: Path) -> None:
    _lock(tmp_path, _md5("x,y\n1,1\n"))  # evaluate read another labelled.csv than label wrote

    found = produced_from(tmp_path, "metrics.json")

    assert isinstance(found, Produced) and set(found.inputs) == {"labelled.csv"}


def test_a_metrics_file_changed_since_the_stage_wrote_it_says_so(tmp_path: Path) -> None:
    _lock(tmp_path, _md5("x,y\n1,0\n"))
    (tmp_path / "metrics.json").write_text('{"accuracy": 0.95}')

    found = produced_from(tmp_path, "metrics.json")

    assert isinstance(found, str) and "is not what stage evaluate wrote" in found


def test_without_dvc_lock_or_as_no_output_it_says_why(tmp_path: Path) -> None:
    (tmp_path / "metrics.json").write_text("{}")
    assert "there is no dvc.lock" in str(produced_from(tmp_path, "metrics.json"))
    _lock(tmp_path, "0" * 32)
    assert "is no output of a dvc.lock stage" in str(produced_from(tmp_path, "other.json"))
