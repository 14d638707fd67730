"""A project's own virtualenv, apart from retrigger's, made the way a team makes one: `uv venv`,
then `uv pip install` of a package retrigger's environment does not have (``projlib``, a wheel
built here, installed with no index).

The heavy stack the stages import (pandas, scikit-learn) is the same as retrigger's: a ``.pth``
line points the project venv at retrigger's site-packages, so nothing is downloaded or compiled.
"""

from __future__ import annotations

import base64
import hashlib
import sys
import sysconfig
import zipfile
from pathlib import Path

from tests.support.dvcrepo import sh

UV = str(Path(sys.executable).parent / "uv")

PROJLIB = """\
from sklearn.linear_model import LogisticRegression


def strength(c):
    \"\"\"The project's own helper: what retrigger's environment cannot import.\"\"\"
    return float(c)


class ProjectModel(LogisticRegression):
    \"\"\"A model class of the project's own: its pickle needs projlib to load.\"\"\"
"""


def build_wheel(
    folder: Path, source: str = PROJLIB, name: str = "projlib", version: str = "0.1"
) -> Path:
    """``NAME-VERSION-py3-none-any.whl``: one module, a valid RECORD."""
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": source.encode(),
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: retrigger-tests\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    record = [f"{path},sha256={_digest(data)},{len(data)}" for path, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def project_venv(venv: Path, wheels: Path) -> Path:
    """A venv holding projlib (and seeing retrigger's scientific stack); its python."""
    venv.parent.mkdir(parents=True, exist_ok=True)
    sh(venv.parent, UV, "venv", "-q", "--python", sys.executable, str(venv))
    python = venv / "bin" / "python"
    wheel = build_wheel(wheels)
    sh(venv.parent, UV, "pip", "install", "-q", "--no-index", "--python", str(python), str(wheel))
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    shared = venv / "lib" / version / "site-packages" / "retrigger_stack.pth"
    shared.write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python
