"""``retrigger hooks install --pre-commit``: ``repo: local`` entries in .pre-commit-config.yaml.

The block is added as text between two marker comments, so the user's comments and layout stay
as they were and uninstall removes exactly what install added.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from retrigger.errors import BadInput

FILE = ".pre-commit-config.yaml"
BEGIN = "# >>> retrigger hooks (`retrigger hooks install --pre-commit`)"
END = "# <<< retrigger hooks"
IDS = ("retrigger-data-delta", "retrigger-config-check", "retrigger-pre-push")

_BLOCK = """{i}- repo: local
{i}  hooks:
{i}    - id: retrigger-data-delta
{i}      name: retrigger data delta (never blocks)
{i}      entry: retrigger-hook data-delta
{i}      language: system
{i}      files: '(\\.dvc|(^|/)dvc\\.lock)$'
{i}      pass_filenames: false
{i}      verbose: true
{i}    - id: retrigger-config-check
{i}      name: retrigger config check
{i}      entry: retrigger-hook config-check
{i}      language: system
{i}      files: '^retrigger\\.ya?ml$'
{i}      pass_filenames: false
{i}    - id: retrigger-pre-push
{i}      name: retrigger data arrival (after dvc push)
{i}      entry: retrigger-hook pre-push
{i}      language: system
{i}      stages: [pre-push]
{i}      always_run: true
{i}      pass_filenames: false
{i}      verbose: true
"""


def install(root: Path) -> str:
    """Add the entries; 'unchanged' when they are there already."""
    path = root / FILE
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text:
        return "unchanged"
    data = _load(text)
    repos = data.get("repos")
    if any(
        h.get("id") in IDS
        for repo in (repos if isinstance(repos, list) else [])
        for h in (repo.get("hooks", []) if isinstance(repo, dict) else [])
        if isinstance(h, dict)
    ):
        return "unchanged (retrigger hooks are already listed)"
    if not text.strip():
        text = "repos:\n"
    elif list(data)[-1:] != ["repos"]:
        raise BadInput(
            f"{FILE}: `repos:` is not its last key, so retrigger cannot add to it "
            "safely; move `repos:` to the end and install again"
        )
    indent = _item_indent(text)
    new_text = text.rstrip("\n") + "\n" + f"{BEGIN}\n{_BLOCK.format(i=indent)}{END}\n"
    _load(new_text)  # never write a file pre-commit cannot read
    path.write_text(new_text, encoding="utf-8")
    return "installed"


def uninstall(root: Path) -> str:
    path = root / FILE
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN not in text:
        return "absent"
    pattern = re.compile(rf"^{re.escape(BEGIN)}\n.*?^{re.escape(END)}\n?", re.S | re.M)
    remaining = pattern.sub("", text)
    if remaining.strip() in ("", "repos:"):
        path.unlink()
        return "removed (the file held only retrigger's hooks)"
    path.write_text(remaining, encoding="utf-8")
    return "removed"


def _load(text: str) -> dict[str, object]:
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError:
        raise BadInput(
            f"{FILE} is not valid YAML; fix it (`pre-commit validate-config`) and install again"
        ) from None
    if not isinstance(data, dict):
        raise BadInput(f"{FILE} is not a mapping with `repos:`; fix it and install again")
    return data


def _item_indent(text: str) -> str:
    found = re.findall(r"^( *)-\s+repo:", text, re.M)
    return found[-1] if found else ""
