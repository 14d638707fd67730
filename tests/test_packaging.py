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
