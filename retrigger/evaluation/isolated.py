"""Prove a model loads away from the machine that trained it (``validation.load_check:
isolated``): a fresh virtualenv built by uv from the model's own ``requirements.txt`` alone,
then ``mlflow.pyfunc.load_model`` and a prediction on a few validation rows in it.

The environment is kept per (Python version, requirements) under ``.retrigger/envs/``, as
MLflow keeps its ``env_manager`` environments: a rerun with the same requirements reuses it,
and uv installs from its cache, so only new wheels are downloaded (from the index uv already
uses). The load runs with ``python -I``: no PYTHONPATH, no user site-packages, nothing of the
training machine but the files of the model.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from retrigger.errors import WorkFailed
from retrigger.evaluation.missing import missing_module
from retrigger.proc import RETRIGGER_BIN, run

ROWS = 5  # validation rows the model predicts on: enough to run its code, cheap to read
TIMEOUT = 1800.0  # seconds for each of: building the environment, loading and predicting
_COMPLETE = ".complete"  # written last: an environment without it is rebuilt

_LOAD = f"""
import sys
model_dir, data, target = sys.argv[1:4]
import mlflow.pyfunc
model = mlflow.pyfunc.load_model(model_dir)
if data:
    import pandas as pd
    if data.lower().endswith(".csv"):
        frame = pd.read_csv(data, nrows={ROWS})
    else:
        frame = pd.read_parquet(data).head({ROWS})
    print("predicted", len(model.predict(frame.drop(columns=[target]))), "rows")
else:
    print("loaded")
"""


@dataclass(frozen=True)
class Rows:
    """The labelled rows (``validation.data``) a few of which the model predicts on."""

    path: Path
    target: str


@dataclass(frozen=True)
class LoadCheck:
    passed: bool
    detail: str  # one line: what was proven, or why the model does not load there
    missing: str | None = None  # the module the clean environment lacks


def wanted(setting: str | None, environ: Mapping[str, str]) -> bool:
    """``validation.load_check``: as set, else on when running in CI (``$CI``, which GitHub
    Actions, GitLab CI and most runners set)."""
    if setting is not None:
        return setting == "isolated"
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def check(model_dir: Path, envs: Path, rows: Rows | None, modules: Mapping[str, str]) -> LoadCheck:
    """Load the MLflow model in ``model_dir`` in a clean environment; ``modules`` maps a
    requirement's distribution to the module of the pickle that needs it (for the message)."""
    requirements = model_dir / "requirements.txt"
    if not requirements.is_file():
        return LoadCheck(False, f"the model has no requirements.txt ({model_dir}) to build from")
    python = _python_version(model_dir)
    uv = _uv()
    env = envs / hashlib.sha256(f"{python}\n{requirements.read_text()}".encode()).hexdigest()[:16]
    problem = _build(uv, env, python, requirements, modules)
    if problem is not None:
        return LoadCheck(False, problem)
    return _load(env, model_dir, rows, requirements)


def _uv() -> str:
    found = shutil.which("uv") or shutil.which("uv", path=RETRIGGER_BIN)
    if found is None:
        raise WorkFailed(
            "validation.load_check: isolated builds a clean environment with uv, which is not "
            "installed; install it (`pip install uv`) or set validation.load_check: off"
        )
    return found


def _python_version(model_dir: Path) -> str:
    """MAJOR.MINOR of the Python the model was saved with (its python_env.yaml), else ours."""
    path = model_dir / "python_env.yaml"
    text = path.read_text() if path.is_file() else ""
    found = re.search(r"^python:\s*['\"]?(\d+)\.(\d+)", text, re.MULTILINE)
    return f"{found[1]}.{found[2]}" if found else f"{sys.version_info[0]}.{sys.version_info[1]}"


def _build(
    uv: str, env: Path, python: str, requirements: Path, modules: Mapping[str, str]
) -> str | None:
    """The environment, kept once complete; why the requirements do not install, or None."""
    if (env / _COMPLETE).is_file():
        return None
    shutil.rmtree(env, ignore_errors=True)  # a build that stopped half-way
    env.parent.mkdir(parents=True, exist_ok=True)
    made = _uv_run([uv, "venv", "-q", "--python", python, str(env)], env.parent)
    if made.returncode != 0:
        raise WorkFailed(
            f"validation.load_check: uv cannot create a Python {python} environment: "
            f"{_reason(made.stderr)}"
        )
    args = [uv, "pip", "install", "-q", "--python", str(env / "bin" / "python")]
    installed = _uv_run([*args, "-r", str(requirements)], requirements.parent)
    if installed.returncode != 0:
        reason = _reason(installed.stderr).rstrip(".")
        named = [m for d, m in modules.items() if re.search(rf"\b{re.escape(d)}\b", reason)]
        needed = sorted(set(named))
        who = f" (needed by module {', '.join(map(repr, needed))} of the pickle)" if needed else ""
        return (
            f"the model's requirements do not install in a clean environment{who}: {reason}; "
            "list the package in requirements.txt as a path or URL uv can install, or publish it"
        )
    (env / _COMPLETE).write_text(requirements.read_text())
    return None


def _uv_run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return run(args, cwd, check=False, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise WorkFailed(f"`{' '.join(args[:3])}` ran longer than {TIMEOUT:g}s") from None


def _load(env: Path, model_dir: Path, rows: Rows | None, requirements: Path) -> LoadCheck:
    data, target = (str(rows.path), rows.target) if rows else ("", "")
    args = [str(env / "bin" / "python"), "-I", "-c", _LOAD, str(model_dir), data, target]
    try:
        result = run(args, model_dir, check=False, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise WorkFailed(f"loading the model in {env} ran longer than {TIMEOUT:g}s") from None
    lines = [line for line in requirements.read_text().splitlines() if line.strip()]
    built = f"a clean environment built from its {len(lines)} requirements ({', '.join(lines)})"
    if result.returncode == 0:
        said = (result.stdout.strip().splitlines() or ["loaded"])[-1]
        return LoadCheck(True, f"the model loads in {built}: {said}")
    module = missing_module(Exception(result.stderr))
    if module is not None:
        return LoadCheck(
            False,
            f"the model does not load in {built}: No module named {module!r}; add the "
            f"package that provides {module.split('.')[0]!r} to the model's requirements "
            "(the project's requirements.txt pins it, or the pipeline's pip_requirements)",
            missing=module,
        )
    return LoadCheck(False, f"the model does not load in {built}: {_last_line(result.stderr)}")


def _reason(stderr: str) -> str:
    """uv's own explanation (its error and cause, its hints left out), in one line: uv wraps
    a long cause over several lines, a labelled line starts a new part."""
    parts: list[str] = []
    for raw in stderr.replace("╰─▶", "cause:").splitlines():
        line = raw.strip().lstrip("×").strip()
        if not line:
            continue
        label = re.match(r"(error|cause|hint):\s*", line)
        if label or not parts:
            parts.append(line[label.end() :] if label else line)
            if label and label[1] == "hint":
                parts[-1] = ""  # what uv suggests for its own command line, not for ours
        elif parts[-1]:
            parts[-1] += " " + line
    return ": ".join(p.rstrip(":") for p in parts if p)[:400] or "no output"


def _last_line(stderr: str) -> str:
    """A traceback's last line: the exception and its message."""
    return (stderr.strip().splitlines() or ["no output"])[-1].strip()[:400]
