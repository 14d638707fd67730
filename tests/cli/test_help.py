"""`retrigger --help` must stay fast: no mlflow, pandas or sklearn on its import path."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("mlflow", "pandas", "sklearn", "pyarrow", "scipy", "dvc", "sqlalchemy")


def test_help_imports_no_heavy_library() -> None:
    probe = (
        "import sys\n"
        "from retrigger.cli.main import main\n"
        "code = main(['--help'])\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert "Usage: retrigger" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "HEAVY="


def test_unknown_command_is_a_usage_error_exit_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "retrigger", "frobnicate"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert "No such command" in result.stderr
