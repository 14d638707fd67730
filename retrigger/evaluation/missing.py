"""A model that cannot be loaded because retrigger's own environment lacks a module its pickle
references: say which module, and where it is missing. retrigger installed apart from the
project (``uv tool install``) loads models in its own interpreter to validate them."""

from __future__ import annotations

import re
import sys

_NO_MODULE = re.compile(r"No module named '([^']+)'")


def missing_module(exc: BaseException) -> str | None:
    """The module a failed load needed: a ModuleNotFoundError in the chain, or its message
    inside another error's (MLflow wraps some)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ModuleNotFoundError) and seen.name:
            return seen.name
        seen = seen.__cause__ or seen.__context__
    match = _NO_MODULE.search(str(exc))
    return match.group(1) if match else None


def missing_message(module: str, what: str) -> str:
    """One line: what could not be loaded, the module, the interpreter that lacks it, the fix."""
    top = module.split(".")[0]
    return (
        f"cannot load {what}: module {module!r} is not installed in retrigger's environment "
        f"({sys.executable}), which loads the model to validate it; install the package that "
        f"provides {top!r} there (`uv tool install retrigger --with PACKAGE`, or pip install "
        "into that environment), or install retrigger into the project's environment"
    )
