"""`retrigger drift` with the default tests imports neither pandas nor scipy: together they cost
more than comparing 300k rows (issue 14). A named p-value test imports scipy, and only then."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from pathlib import Path

PROBE = (
    "import sys\n"
    "from retrigger.cli.main import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit:\n"
    "    pass\n"
    "print('HEAVY=' + ','.join(m for m in ('pandas', 'scipy') if m in sys.modules))\n"
)


def _table(path: Path, rows: int, shift: float) -> Path:
    rng = np.random.default_rng(7)
    nan_floats = rng.normal(shift, 1, rows)
    nan_floats[::7] = np.nan
    pq.write_table(
        pa.table(
            {
                "num": rng.normal(shift, 1, rows),
                "with_nan": nan_floats,
                "small_int": rng.integers(0, 4, rows),
                "word": rng.choice(["a", "b", "c"], rows),
                "flag": rng.random(rows) < 0.3 + shift,
            }
        ),
        path,
    )
    return path


def _heavy(tmp_path: Path, *args: str) -> str:
    ref = _table(tmp_path / "ref.parquet", 3000, 0)
    cur = _table(tmp_path / "cur.parquet", 3000, 0.2)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "drift", str(ref), str(cur), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_default_tests_import_neither_pandas_nor_scipy(tmp_path: Path) -> None:
    assert _heavy(tmp_path, "--json") == "HEAVY="


def test_a_named_pvalue_test_imports_scipy(tmp_path: Path) -> None:
    assert _heavy(tmp_path, "--json", "--stattest", "num=ks") == "HEAVY=scipy"
