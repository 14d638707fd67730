"""What the project's own code and requirement files say: scikit-learn in use, a training script
that logs its model to MLflow itself, a serving script that loads ``models:/NAME@ALIAS``.

Read as text (never imported): the requirement files, then the Python files two levels deep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_SKLEARN = re.compile(r"\b(scikit-learn|sklearn)\b")
# mlflow.sklearn.log_model(…), mlflow.pyfunc.log_model(…), or a bare log_model(… after
# `from mlflow.<flavor> import log_model`.
_LOG_MODEL = re.compile(
    r"\bmlflow\.\w+\.log_model\s*\(|from\s+mlflow\.\w+\s+import[^\n]*\blog_model"
)
# models:/NAME@ALIAS and models:/NAME/Stage (a version number is not a place one serves from).
# NAME may be an f-string's {placeholder}: the alias still says where the app reads.
_SERVED = re.compile(r"models:/([^\"'\s@/]+)(?:@([A-Za-z0-9_\-]+)|/([A-Za-z]+)\b)")


@dataclass(frozen=True)
class Served:
    """A place the code loads a registered model from."""

    model: str
    alias: str | None  # models:/NAME@ALIAS
    stage: str | None  # models:/NAME/Production
    file: str  # where, relative to the project


def project_files(root: Path) -> list[Path]:
    """The requirement files, then the Python files two levels deep (no virtualenvs)."""
    named = ["requirements.txt", "src/requirements.txt", "pyproject.toml", "setup.py"]
    found = [root / name for name in named if (root / name).is_file()]
    code = [*root.glob("*.py"), *root.glob("*/*.py"), *root.glob("*/*/*.py")]
    kept = [p for p in code if not p.parts[len(root.parts)].startswith((".", "venv", "env"))]
    return found + kept[:300]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def uses_sklearn(root: Path) -> str | None:
    """The first file that names scikit-learn, relative to ``root``."""
    for path in project_files(root):
        if _SKLEARN.search(_text(path)):
            return path.relative_to(root).as_posix()
    return None


def logs_model(root: Path) -> str | None:
    """The first Python file that logs a model to MLflow itself, relative to ``root``."""
    for path in project_files(root):
        if path.suffix == ".py" and _LOG_MODEL.search(_text(path)):
            return path.relative_to(root).as_posix()
    return None


def served_from(root: Path) -> list[Served]:
    """Every ``models:/NAME@ALIAS`` or ``models:/NAME/Stage`` the code loads, in file order."""
    found: list[Served] = []
    for path in project_files(root):
        if path.suffix != ".py":
            continue
        for match in _SERVED.finditer(_text(path)):
            name, alias, stage = match.groups()
            if stage is not None and stage.lower() == "latest":
                continue  # the newest version, whatever its stage: no place to move
            found.append(Served(name, alias, stage, path.relative_to(root).as_posix()))
    return found
