"""A second ``init`` on a project that has retrigger.yaml: every value there is the user's and
stays, comments and all; only keys the file lacks are filled from what init would write now.

Some absences are choices, never filled: anything under ``signals:`` (deleting a block switches
that reason off, as the file says; deleting ``min`` drops the floor), under ``policy:`` (no
``max_retrains``: no budget) and the ``validation`` section.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from retrigger.errors import BadInput

# Sections whose missing children were deleted on purpose, and top-level ones.
_CHOSEN_ABSENT = ("signals", "policy")
_CHOSEN_ABSENT_TOP = {"validation"}


@dataclass(frozen=True)
class Merged:
    text: str  # the user's file, with the missing keys added (unchanged when none were)
    added: tuple[str, ...]  # dotted keys filled in


def fill_missing(existing: str, fresh: str) -> Merged:
    """``existing`` with the keys of ``fresh`` it lacks; its own values, order and comments kept."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML()  # round-trip: comments and flow styles survive
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = True
    yaml.representer.add_representer(
        type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    try:
        mine = yaml.load(existing)
    except YAMLError as exc:
        raise BadInput(
            f"retrigger.yaml is not valid YAML ({str(exc).splitlines()[0]}); fix it, or rerun "
            "`retrigger init --force` to rewrite it (the old one kept as retrigger.yaml.bak)"
        ) from None
    if mine is None:
        return Merged(fresh, ("everything",))
    if not isinstance(mine, dict):
        raise BadInput("retrigger.yaml: the top level must be a mapping (model:, signals:, …)")
    added: list[str] = []
    _fill(mine, yaml.load(fresh), (), added)
    if not added:
        return Merged(existing, ())
    out = io.StringIO()
    yaml.dump(mine, out)
    return Merged(out.getvalue(), tuple(added))


def _fill(mine: Any, fresh: Any, path: tuple[str, ...], added: list[str]) -> None:
    for position, (key, value) in enumerate(fresh.items()):
        if key in mine:
            if isinstance(mine[key], dict) and isinstance(value, dict):
                _fill(mine[key], value, (*path, str(key)), added)
            continue
        if (path and path[0] in _CHOSEN_ABSENT) or (not path and key in _CHOSEN_ABSENT_TOP):
            continue
        mine.insert(min(position, len(mine)), key, value)
        added.append(".".join((*path, str(key))))
