"""Which interpreter and PATH a pipeline's commands run with, in one place (DESIGN.md): the
project's venv, ``pipeline.python``, ``$VIRTUAL_ENV`` or retrigger's own environment."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from retrigger.errors import ConfigError

# retrigger's own bin/: last on every PATH it builds (the user's `dvc` and `python` win).
RETRIGGER_BIN = str(Path(sys.executable).parent)


@dataclass(frozen=True)
class Interpreter:
    """The environment the pipeline's commands run in: its ``bin/`` goes first on PATH, so the
    stages' ``python`` and ``dvc`` are the project's, never retrigger's unless asked."""

    bin_dir: Path | None  # None: the user's PATH as it is
    source: str  # why this one, in words (`run --dry-run` and the errors say it)

    @property
    def python(self) -> str:
        """The ``python`` a stage command finds first (``unknown`` when none is on PATH)."""
        return (
            shutil.which("python", path=self.path())
            or shutil.which("python3", path=self.path())
            or "unknown"
        )

    def path(self) -> str:
        parts = [part for part in os.environ.get("PATH", "").split(os.pathsep) if part]
        if self.bin_dir is not None:
            parts = [str(self.bin_dir), *(p for p in parts if p != str(self.bin_dir))]
        return os.pathsep.join([*parts, RETRIGGER_BIN] if RETRIGGER_BIN not in parts else parts)

    def env(self) -> dict[str, str]:
        """What a pipeline command's environment overrides (on top of ``clean_env``)."""
        env = {"PATH": self.path()}
        if self.bin_dir is not None and (self.bin_dir.parent / "pyvenv.cfg").is_file():
            env["VIRTUAL_ENV"] = str(self.bin_dir.parent)  # what `activate` would have set
        return env


def own_interpreter() -> Interpreter:
    """retrigger's own environment, first on PATH: one environment shared with the project."""
    return Interpreter(Path(RETRIGGER_BIN), "retrigger's own environment (pipeline.env: retrigger)")


def pipeline_interpreter(
    root: Path, configured: str | None, shared: bool, environ: Mapping[str, str]
) -> Interpreter:
    """Which environment runs the stages: ``pipeline.env: retrigger`` (retrigger's own), else
    ``pipeline.python`` (an interpreter or a venv folder), else the repository's ``.venv``,
    else ``$VIRTUAL_ENV``, else the ``python`` on PATH. ConfigError for a ``pipeline.python``
    that does not exist or has no ``dvc`` beside it or on PATH."""
    if shared:
        return own_interpreter()
    if configured:
        return _configured(root, configured, environ)
    if (root / ".venv" / "bin" / "python").is_file():
        return Interpreter(root / ".venv" / "bin", "the repository's .venv")
    if environ.get("VIRTUAL_ENV"):
        return Interpreter(Path(environ["VIRTUAL_ENV"]) / "bin", "$VIRTUAL_ENV")
    return Interpreter(None, "the `python` on PATH")


def _configured(root: Path, configured: str, environ: Mapping[str, str]) -> Interpreter:
    given = Path(configured).expanduser()
    path = given if given.is_absolute() else root / given
    python = path / "bin" / "python" if path.is_dir() else path
    if not python.is_file() or not os.access(python, os.X_OK):
        raise ConfigError(
            f"invalid config key 'pipeline.python': {python} does not exist or is not "
            "executable; give the project's interpreter (e.g. .venv/bin/python) or its venv folder"
        )
    bin_dir = python.parent  # not resolved: a venv's python is a link to the base interpreter
    if not (bin_dir / "dvc").is_file() and shutil.which("dvc", path=environ.get("PATH")) is None:
        raise ConfigError(
            f"invalid config key 'pipeline.python': no dvc in {bin_dir} nor on PATH, so "
            f"`dvc repro` cannot run the stages there; install it (`uv pip install --python "
            f"{python} dvc`) or leave pipeline.python unset"
        )
    return Interpreter(bin_dir, f"pipeline.python ({configured})")
