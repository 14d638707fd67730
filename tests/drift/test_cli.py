"""``retrigger drift`` through the real CLI: JSON schema, reports, formats, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.drift.conftest import Writer, run_drift, run_drift_json


@pytest.fixture
def pair(rng: np.random.Generator, write: Writer) -> tuple[Path, Path]:
    ref = {
        "age": rng.normal(40, 10, 2000),
        "city": rng.choice(["a", "b", "c"], 2000),
        "clicks": rng.integers(0, 5, 2000),
    }
    cur = {
        "age": rng.normal(48, 10, 1500),
        "city": rng.choice(["a", "b", "c"], 1500),
        "clicks": rng.integers(0, 5, 1500),
    }
    return write("ref.parquet", ref), write("cur.parquet", cur)


def test_json_is_one_object_with_the_documented_schema(pair: tuple[Path, Path]) -> None:
    document = run_drift_json(str(pair[0]), str(pair[1]))

    assert {
        "drift",
        "share_drifted",
        "n_columns",
        "n_drifted",
        "reference_rows",
        "current_rows",
        "columns",
    } <= set(document)
    assert isinstance(document["drift"], bool)
    assert (document["n_columns"], document["n_drifted"]) == (3, 1)
    assert document["share_drifted"] == pytest.approx(1 / 3)
    assert (document["reference_rows"], document["current_rows"]) == (2000, 1500)
    for column in document["columns"].values():
        assert column["type"] in ("num", "cat")
        assert isinstance(column["test"], str)
        assert isinstance(column["score"], float)
        assert isinstance(column["threshold"], float)
        assert isinstance(column["drift"], bool)
    assert document["columns"]["age"] | {} == document["columns"]["age"]
    assert document["columns"]["age"]["test"] == "wasserstein"
    assert document["columns"]["age"]["drift"] is True


def test_options_reach_the_engine(pair: tuple[Path, Path]) -> None:
    document = run_drift_json(
        str(pair[0]),
        str(pair[1]),
        "--columns",
        "age,city",
        "--stattest",
        "age=psi",
        "--threshold",
        "age=5",
    )

    assert list(document["columns"]) == ["age", "city"]
    assert document["columns"]["age"]["test"] == "psi"
    assert document["columns"]["age"]["threshold"] == 5.0


def test_html_and_png_reports_are_written_and_self_contained(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    html, png = tmp_path / "out" / "drift.html", tmp_path / "out" / "drift.png"

    result = run_drift(str(pair[0]), str(pair[1]), "--html", str(html), "--png", str(png))

    assert result.code == 0, result.err
    text = html.read_text(encoding="utf-8")
    assert "<table class='columns'>" in text and text.count("<svg") == 3 and "<script>" in text
    assert "src=" not in text and "<link" not in text  # nothing to fetch
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "DATASET DRIFT" not in result.out and "age" in result.out


def test_csv_jsonl_and_folders_read_like_parquet(write: Writer) -> None:
    ref: dict[str, list[Any]] = {"x": [i % 7 + 0.5 for i in range(300)], "s": ["p", "q", "r"] * 100}
    cur: dict[str, list[Any]] = {"x": [i % 7 + 2.5 for i in range(300)], "s": ["p", "q", "r"] * 100}
    expected = run_drift_json(str(write("a.parquet", ref)), str(write("b.parquet", cur)))
    write("dir/part1.csv", {k: v[:150] for k, v in cur.items()})
    write("dir/part2.csv", {k: v[150:] for k, v in cur.items()})

    from_csv = run_drift_json(str(write("a.csv", ref)), str(write("b.csv", cur)))
    from_jsonl = run_drift_json(str(write("a.jsonl", ref)), str(write("b.jsonl", cur)))
    from_dir = run_drift_json(str(write("a.csv", ref)), str(write("b.csv", cur).parent / "dir"))

    for document in (from_csv, from_jsonl, from_dir):
        assert document["columns"] == expected["columns"]


def _bad(*args: str) -> str:
    result = run_drift(*args)
    assert result.code == 2, (result.code, result.out, result.err)
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


def test_bad_input_is_one_line_and_exit_2(write: Writer, tmp_path: Path) -> None:
    good = str(write("good.parquet", {"x": [1.0, 2.0, 3.0], "s": ["a", "b", "a"]}))
    empty = tmp_path / "empty.csv"
    empty.write_text("x,s\n", encoding="utf-8")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("x,s\n1.0,caf\xe9\n".encode("latin-1"))
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text('{"x": 1.0, "s": "a"}\n{"x": "high", "s": "b"}\n', encoding="utf-8")
    other_type = str(write("other.parquet", {"x": ["1", "2", "3"], "s": ["a", "b", "a"]}))
    (tmp_path / "data.xlsx").write_text("", encoding="utf-8")

    assert "no rows" in _bad(good, str(empty))
    assert "does not exist" in _bad(good, str(tmp_path / "missing.parquet"))
    assert "not countable / not testable: .xlsx" in _bad(good, str(tmp_path / "data.xlsx"))
    assert "UTF-8" in _bad(good, str(latin))
    assert "mixes types" in _bad(good, str(mixed))
    assert "--stattest x=" in _bad(good, other_type)
    assert "unknown test" in _bad(good, good, "--stattest", "x=nope")
    assert "needs numbers" in _bad(good, good, "--stattest", "s=ks")
    assert "is for categories" in _bad(good, good, "--stattest", "x=chi2")
    assert "neither table" in _bad(good, good, "--columns", "x,nope")
    assert "COLUMN=VALUE" in _bad(good, good, "--threshold", "x")
    assert "not a number" in _bad(good, good, "--threshold", "x=high")


def test_type_mismatch_is_compared_when_a_test_is_named(write: Writer) -> None:
    ref = str(write("r.parquet", {"x": [1, 2, 3] * 100}))
    cur = str(write("c.parquet", {"x": ["1", "2", "3"] * 100}))

    document = run_drift_json(ref, cur, "--stattest", "x=chi2")

    assert document["columns"]["x"]["drift"] is False


def test_json_output_has_nothing_else_on_stdout(pair: tuple[Path, Path]) -> None:
    result = run_drift(str(pair[0]), str(pair[1]), "--json")

    json.loads(result.out)
    assert result.out.strip().startswith("{") and result.out.strip().endswith("}")


def test_mode_calibrated_judges_the_effect_size_where_evidentlys_test_flags_noise(
    write: Writer,
) -> None:
    # 800 rows a side, a 0.15 σ shift: Evidently's KS calls it drift; its effect size's lower
    # bound (0.06) is under the 0.1 tolerance, so calibrated mode does not.
    rng = np.random.default_rng(2)
    ref = write("ref.parquet", {"x": rng.normal(0, 1, 800)})
    cur = write("cur.parquet", {"x": rng.normal(0.15, 1, 800)})

    compatible = run_drift_json(str(ref), str(cur), "--engine", "memory")
    calibrated = run_drift_json(str(ref), str(cur), "--engine", "memory", "--mode", "calibrated")
    text = run_drift(str(ref), str(cur), "--engine", "memory", "--mode", "calibrated")
    mixed = run_drift(str(ref), str(cur), "--mode", "calibrated", "--stattest", "x=ks")

    assert compatible["drift"] is True and compatible["columns"]["x"]["test"] == "ks"
    assert calibrated["drift"] is False
    assert calibrated["columns"]["x"]["effect"]["reading"] == (
        "shifted by 0.15 (0.06–0.21), tolerance 0.10"
    )
    assert "x: shifted by 0.15 (0.06–0.21), tolerance 0.10" in text.out
    assert mixed.code == 2 and "drop them with --mode calibrated" in mixed.err


def test_the_nearest_config_when_invalid_is_refused_not_replaced_by_defaults(
    pair: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Outside a project (no retrigger.yaml up the tree) the defaults are used; a retrigger.yaml
    # that is there but wrong must say so, or the team's thresholds are silently ignored.
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    assert run_drift(*map(str, pair)).code in (0, 1)  # no config: the defaults judge
    config = "model: {name: churn}\nsignals:\n  drift: {threshold: high}\n"
    (project / "retrigger.yaml").write_text(config)

    result = run_drift(*map(str, pair))

    assert result.code == 2
    assert result.err.startswith("retrigger: error: ") and "threshold" in result.err
    assert len(result.err.strip().splitlines()) == 1
