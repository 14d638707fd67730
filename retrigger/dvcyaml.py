"""dvc.yaml as DVC itself reads it: ``${}`` resolved from params.yaml and ``vars:``, ``foreach``
and ``matrix`` stages expanded (``train@a``). Every place retrigger reads stages, outs, metrics
or artifacts reads them through here, so a templated path (``${base.model_dir}/clf-model``) is
the path DVC writes (``model/clf-model``).

DVC's own parser (``dvc.parsing.DataResolver``) is imported only for a dvc.yaml that uses
templating: a plain one is the YAML as written, and nothing of DVC is loaded for it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from retrigger.errors import BadInput

_TEMPLATED = ("foreach", "matrix", "vars")
_MISSING = re.compile(r"Could not find '([^']+)'")


def load(root: Path) -> dict[str, Any]:
    """The resolved document of ``root/dvc.yaml``; ``{}`` when there is none. BadInput for YAML
    that does not parse or a template DVC cannot resolve (the variable and its line named)."""
    path = root / "dvc.yaml"
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise BadInput(
            f"dvc.yaml{where}: {problem}; fix it (`dvc repro --dry` checks it)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise BadInput("dvc.yaml: the top level must be a mapping (stages:, metrics:, …)")
    return resolve(root, document, text)


def resolve(root: Path, document: dict[str, Any], text: str = "") -> dict[str, Any]:
    """``document`` (dvc.yaml's YAML) with DVC's templating applied; the same shape, the
    generated stages named as DVC names them."""
    if not templated(document):
        return document
    from dvc.parsing import DataResolver, ResolveError

    try:
        resolver = DataResolver(_Repo(), os.path.relpath(root), document)
        stages = resolver.resolve()["stages"]
        resolved = {
            **document,
            "stages": stages,
            "artifacts": resolver.resolve_artifacts(),
            "metrics": resolver.resolve_metrics(),
            "plots": resolver.resolve_plots(),
        }
    except ResolveError as exc:
        raise BadInput(_unresolved(str(exc), text)) from None
    resolved.pop("vars", None)
    return resolved


def templated(document: dict[str, Any]) -> bool:
    """dvc.yaml uses DVC's templating: ``${…}`` anywhere, ``vars:``, ``foreach`` or ``matrix``."""
    if "vars" in document:
        return True
    stages = document.get("stages")
    if isinstance(stages, dict) and any(
        isinstance(stage, dict) and any(key in stage for key in _TEMPLATED)
        for stage in stages.values()
    ):
        return True
    return "${" in yaml.safe_dump(document)


def _unresolved(message: str, text: str) -> str:
    """DVC's reason in one line, with the variable's line in dvc.yaml and where to define it."""
    reason = " ".join(message.split())
    for relpath in re.findall(r"in '([^']*dvc\.yaml)'", reason):
        reason = reason.replace(f"'{relpath}'", "'dvc.yaml'")
    missing = _MISSING.search(reason)
    if missing is None:
        return f"dvc.yaml cannot be resolved: {reason}; fix it (`dvc repro --dry` checks it)"
    name = missing.group(1)
    line = next(
        (
            n
            for n, row in enumerate(text.splitlines(), 1)
            if re.search(r"\$\{\s*" + re.escape(name), row)
        ),
        None,
    )
    where = f" (dvc.yaml line {line})" if line else ""
    return (
        f"dvc.yaml uses the template variable {name!r}{where}, which neither params.yaml nor "
        f"its vars: define; add {name} to params.yaml, or fix dvc.yaml ({reason})"
    )


class _Repo:
    """What DataResolver reads of a DVC repository: its file system and parsing config."""

    def __init__(self) -> None:
        from dvc.fs import LocalFileSystem

        self.fs = LocalFileSystem()
        self.config: dict[str, Any] = {}
