"""Helpers for the drift tests: write small tables in each format, run the drift command."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from retrigger.cli import drift as drift_cmd
from retrigger.cli import main as cli_main
from retrigger.drift.engine import DriftOptions, compare
from retrigger.drift.io import open_table
from tests.support.cli import Result, run_cli

if TYPE_CHECKING:
    from retrigger.drift.result import DriftReport

Writer = Callable[[str, dict[str, Any]], Path]


def _ensure_registered() -> None:
    # The lead wires `drift` into cli/main.py; until then the tests add it to the same app.
    if not any(c.name == "drift" for c in cli_main.app.registered_commands):
        drift_cmd.register(cli_main.app)


def run_drift(*args: str) -> Result:
    _ensure_registered()
    return run_cli("drift", *args)


def run_drift_json(*args: str) -> dict[str, Any]:
    result = run_drift(*args, "--json")
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads(result.out)
    return document


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    """Write ``{column: values}`` as ``name`` (extension picks the format) under tmp_path."""

    def _write(name: str, columns: dict[str, Any]) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.table(
            {k: v if isinstance(v, pa.Array) else pa.array(v) for k, v in columns.items()}
        )
        if path.suffix == ".parquet":
            pq.write_table(table, path)
        elif path.suffix == ".csv":
            pacsv.write_csv(table, path)
        else:
            path.write_text(
                "".join(json.dumps(row) + "\n" for row in table.to_pylist()), encoding="utf-8"
            )
        return path

    return _write


def drift_of(ref: Path, cur: Path, **options: Any) -> DriftReport:
    with open_table(ref) as reference, open_table(cur) as current:
        return compare(reference, current, DriftOptions(**options))


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """A generator seeded by the test's id: the same draws whatever order tests run in."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))
