"""The config-check hook: block a commit whose retrigger.yaml is invalid, or whose
RETRAINING.md policy section no longer says what retrigger.yaml says."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from retrigger.errors import EXIT_OK, EXIT_WORK_FAILED, ConfigError

if TYPE_CHECKING:
    from retrigger.config.models import RetriggerConfig
    from retrigger.githooks.engine import HookRepo


def config_check(repo: HookRepo, names: list[str]) -> int:
    """Exit 2 with ``config validate``'s message when the changed retrigger.yaml is invalid."""
    from retrigger.githooks.engine import config_in, validate_config

    name = config_in(names)
    if name is None:
        return EXIT_OK
    try:
        config = validate_config(repo.root, name)
    except ConfigError as exc:
        print(f"retrigger: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return _policy_document_current(repo, config)


DOCUMENT = "RETRAINING.md"


def _policy_document_current(repo: HookRepo, config: RetriggerConfig) -> int:
    from retrigger.config import words

    try:
        text = (repo.root / DOCUMENT).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return EXIT_OK  # no such document: nothing to keep in step
    current = words.replace_section(text, words.section(config))
    if current is None or current == text:
        return EXIT_OK
    print(
        f"retrigger: error: {DOCUMENT} no longer says what retrigger.yaml says; refresh it "
        f"with `retrigger config explain --update {DOCUMENT} && git add {DOCUMENT}`",
        file=sys.stderr,
    )
    return EXIT_WORK_FAILED
