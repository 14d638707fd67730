"""The `events:` section: read as written, refused in one line when it cannot work."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from retrigger.config import load_config
from retrigger.errors import ConfigError
from tests.support.cli import run_cli

BASE = "model: {name: churn}\ndata: [data/raw]\n"


def _write(tmp_path: Path, events: str) -> Path:
    path = tmp_path / "retrigger.yaml"
    path.write_text(BASE + events)
    return path


def test_the_section_reads_as_written(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "events:\n  watch: [{source: s3, prefix: 's3://lake/raw/', data: data/raw}]\n"
        "  settle: 90s\n  marker: _DONE\n",
    )

    events = load_config(path, environ={}).config.events

    assert events.settle == timedelta(seconds=90)
    assert events.marker == "_DONE"
    assert [(w.source, w.prefix, w.data) for w in events.watch] == [
        ("s3", "s3://lake/raw/", "data/raw")
    ]


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (
            "events: {watch: [{source: webhook, prefix: 's3://l/x/', data: data/other}]}\n",
            "'data/other' (fed by s3://l/x/) is not listed under `data:`",
        ),
        (
            "events: {watch: [{source: webhook, prefix: 'lake/x/', data: data/raw}]}\n",
            "'events.watch.prefix' (retrigger.yaml:3): must be a full URL such as s3://bucket/path/",
        ),
        (
            "events: {watch: [{source: ftp, prefix: 's3://l/x/', data: data/raw}]}\n",
            "'events.watch.source'",
        ),
        ("events: {settle: soon}\n", "events.settle"),
        ("events: {baseline: follow}\n", "'events.baseline'"),
        ("pipeline: {dispatch: github}\n", "pipeline.dispatch github needs a repository"),
        ("events: {gcs: {jwks_url: 'ftp://x'}}\n", "'events.gcs.jwks_url'"),
    ],
)
def test_a_bad_section_is_one_clear_line(tmp_path: Path, events: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, events), environ={})

    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_serve_refuses_a_bad_section_with_exit_2_before_listening(tmp_path: Path) -> None:
    path = _write(tmp_path, "events: {settle: soon}\n")

    result = run_cli("serve", "--config", str(path), "--port", "0")

    assert result.code == 2
    assert "events.settle" in result.err
