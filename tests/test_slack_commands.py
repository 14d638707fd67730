"""``/retrain`` text parsing: a closed vocabulary, nothing for a shell."""

from __future__ import annotations

from datetime import timedelta

import pytest

from retrigger.slack.commands import Help, History, Request, Status, parse, usage

MODELS = ("churn",)


def test_requests_status_history_and_help() -> None:
    assert parse("churn accuracy fell after the import", MODELS) == Request(
        "churn", "accuracy fell after the import"
    )
    assert parse("  churn  ", MODELS) == Request("churn", None)
    assert parse("status", MODELS) == Status(None)
    assert parse("status churn", MODELS) == Status("churn")
    assert parse("history", MODELS) == History(None, None, timedelta(days=30))
    assert parse("history drift churn 7d", MODELS) == History("churn", "drift", timedelta(days=7))
    assert parse("", MODELS) == Help() == parse("help", MODELS)


@pytest.mark.parametrize(
    "text",
    [
        "churn; rm -rf /",
        "churn $(id)",
        "churn `id`",
        "churn | sh",
        "churn > /etc/passwd",
        "churn && reboot",
        "churn\nrm",
        "churn 'quoted'",
        "churn " + "x" * 10_000,
        "fraud",
        "status fraud",
        "status churn extra",
        "history 0d",
        "history yesterday",
    ],
)
def test_anything_else_is_the_usage_with_a_reason(text: str) -> None:
    parsed = parse(text, MODELS)
    assert isinstance(parsed, Help)
    assert parsed.problem
    assert usage(MODELS, parsed.problem).startswith(parsed.problem + "\nUsage:")


@pytest.mark.parametrize(
    "text", ["churn drop\x00ped", "churn \u202egnp.exe", "churn dr\u200bift", "churn \ufeffx"]
)
def test_nul_bidi_and_zero_width_characters_are_refused_plainly(text: str) -> None:
    parsed = parse(text, MODELS)
    assert isinstance(parsed, Help)
    assert parsed.problem is not None and "bidi and zero-width" in parsed.problem
