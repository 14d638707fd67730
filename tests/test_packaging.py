"""The wheel's layout: every package folder is listed, the front doors map under retrigger."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOORS = {"cli": "retrigger.cli", "hooks": "retrigger.hooks", "bot": "retrigger.bot"}


def _package_name(folder: Path) -> str:
    relative = folder.relative_to(ROOT)
    head = DOORS.get(relative.parts[0], relative.parts[0])
    return ".".join([head, *relative.parts[1:]])


def test_every_package_folder_is_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        _package_name(init.parent)
        for top in ("retrigger", *DOORS)
        for init in (ROOT / top).rglob("__init__.py")
    }

    assert found - listed == set(), "add these to [tool.setuptools] packages"
    assert config["package-dir"] == {"retrigger": "retrigger", **{v: k for k, v in DOORS.items()}}


def test_the_wheel_carries_the_front_doors_and_demo_assets(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys
    import zipfile

    # Build from a copy with the declared build backend (isolated), as `pip install .` does;
    # building in the tree would race other tests that install it.
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", "build", ".git", "__pycache__", "*.egg-info", ".mypy_cache", ".pytest_cache"
        ),
    )
    uv = Path(sys.executable).parent / "uv"
    command = (
        [str(uv), "build", "--wheel", "-q", "-o", str(tmp_path / "dist")]
        if uv.exists()
        else [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(tmp_path / "dist"),
            ".",
        ]
    )
    subprocess.run(command, cwd=source, check=True, capture_output=True, text=True)
    (wheel,) = (tmp_path / "dist").glob("retrigger-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    for expected in (
        "retrigger/cli/main.py",
        "retrigger/hooks/__init__.py",
        "retrigger/bot/__init__.py",
        "retrigger/demo/assets/train.py",
        "retrigger/py.typed",
    ):
        assert expected in names
    assert not any(n.startswith(("cli/", "bot/", "hooks/", "tests/")) for n in names)
