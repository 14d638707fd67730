"""The hooks stay light: no typer, rich, pydantic, mlflow, pandas... on the path of a commit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.dvcrepo import add_rows, sh, write_parquet

HEAVY = (
    "mlflow",
    "pandas",
    "sklearn",
    "scipy",
    "dvc",
    "sqlalchemy",
    "typer",
    "rich",
    "pydantic",
    "pyarrow",
)
PROBE = (
    "import sys\n"
    "from retrigger.hooks.main import main\n"
    "code = main(['data-delta'])\n"
    f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
)


def _probe(cwd: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=cwd, capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()


def test_no_change_path_imports_nothing_heavy(dvc_repo: Path) -> None:
    (dvc_repo / "notes.txt").write_text("x\n")
    sh(dvc_repo, "git", "add", "notes.txt")

    assert _probe(dvc_repo) == ["HEAVY="]


def test_csv_and_parquet_change_path_imports_nothing_heavy_either(dvc_repo: Path) -> None:
    add_rows(dvc_repo, 105)
    write_parquet(dvc_repo / "data" / "parts" / "b.parquet", 26)
    sh(dvc_repo, "dvc", "add", "-q", "data/parts")
    sh(dvc_repo, "git", "add", "data/train.csv.dvc", "data/parts.dvc")

    lines = _probe(dvc_repo)

    assert lines[-1] == "HEAVY="  # Parquet rows come from our footer reader, not pyarrow
    assert lines[0].startswith("retrigger: data/parts: +6 rows")
    assert lines[1].startswith("retrigger: data/train.csv: +5 rows")
