"""The failed command's last lines: bounded, and secrets masked before they are kept."""

from __future__ import annotations

from pathlib import Path

from retrigger.notify.render import render
from retrigger.pipeline.failure_tail import (
    MASK,
    TAIL_BYTES,
    TAIL_LINES,
    OutputLog,
    bounded,
    mask,
    secret_values,
)
from retrigger.store import outbox


def test_values_of_secret_named_variables_and_url_passwords_are_masked() -> None:
    env = {"MY_API_TOKEN": "abcd1234", "DB_PASSWORD": "pw-long", "HOME": "/home/me", "X": "1"}
    secrets = secret_values(env, ["xoxb-slack"])

    text = mask("abcd1234 pw-long xoxb-slack /home/me postgresql://app:s3cr3t@db:5432/x", secrets)

    assert text == f"{MASK} {MASK} {MASK} /home/me postgresql://app:{MASK}@db:5432/x"


def test_the_tail_keeps_the_last_lines_within_its_bounds() -> None:
    lines = [f"line {i}" for i in range(100)]
    assert bounded(lines) == lines[-TAIL_LINES:]
    huge = ["x" * 400] * TAIL_LINES
    assert sum(len(line) + 1 for line in bounded(huge)) <= TAIL_BYTES


def test_the_log_file_holds_every_line_masked(tmp_path: Path) -> None:
    log = OutputLog(tmp_path, "t-1", "repro", ["abcd1234"])
    for i in range(30):
        log.add(f"step {i} token abcd1234")
    log.close()

    tail = log.tail()

    assert tail.log_path is not None and tail.artifact == "retrigger/repro.log"
    written = Path(tail.log_path).read_text().splitlines()
    assert len(written) == 30 and written[0] == f"step 0 token {MASK}"
    assert tail.lines == written[-TAIL_LINES:]


def test_a_failure_message_shows_the_last_lines_as_a_code_block() -> None:
    payload = {
        "model": "churn",
        "decision_id": "d-1",
        "error": "`dvc repro` exited 255",
        "output_tail": ["Traceback", "MemoryError: out of memory while fitting"],
        "output_step": "repro",
        "log_path": "/p/.retrigger/logs/t-1/repro.log",
    }

    shown = render(outbox.RETRAIN_FAILED, payload)

    code = shown.blocks[2]["text"]["text"]
    assert code == (
        "*Last lines of repro* (full log: `/p/.retrigger/logs/t-1/repro.log`):\n"
        "```\nTraceback\nMemoryError: out of memory while fitting\n```"
    )
