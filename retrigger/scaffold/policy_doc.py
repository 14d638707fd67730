"""RETRAINING.md: the policy in words, kept between markers (``retrigger config explain``).

Planned from the retrigger.yaml text init is about to write, so the section matches it; a
config that still has open questions gets the section once they are answered.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from retrigger.config import load_config, words
from retrigger.errors import ConfigError
from retrigger.scaffold.planned import CREATE, KEEP, NOT_WRITTEN, UPDATE, PlannedFile

FILE = "RETRAINING.md"
REFRESH = f"retrigger config explain --update {FILE}"


def plan_policy_document(root: Path, config_text: str) -> PlannedFile:
    with tempfile.TemporaryDirectory(prefix="retrigger-init-") as scratch:
        draft = Path(scratch) / "retrigger.yaml"
        draft.write_text(config_text, encoding="utf-8")
        try:
            config = load_config(draft, environ={}).config
        except ConfigError:
            action = KEEP if (root / FILE).exists() else NOT_WRITTEN
            return PlannedFile(FILE, action, f"once retrigger.yaml is complete: `{REFRESH}`")
    block = words.section(config)
    path = root / FILE
    if not path.exists():
        return PlannedFile(
            FILE, CREATE, "the policy in words, for everyone", f"# Retraining\n\n{block}"
        )
    text = path.read_text(encoding="utf-8")
    new = words.replace_section(text, block)
    new = text.rstrip("\n") + "\n\n" + block if new is None else new
    if new == text:
        return PlannedFile(FILE, KEEP, "the policy section is current")
    return PlannedFile(FILE, UPDATE, "the policy section, between its markers", new)
