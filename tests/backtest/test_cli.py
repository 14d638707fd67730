"""``retrigger backtest`` through the real CLI: JSON, HTML, PNG, read-only, and bad input."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from retrigger.config import load_config
from retrigger.proc import run
from retrigger.workspace import Workspace
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli


def snapshot(root: Path) -> dict[str, str]:
    """Every file of the work tree (DVC's cache and tmp aside) and git's view of it. SQLite's
    ``-shm`` file is left out: it is the WAL's shared-memory index, where every reader (the
    backtest reads the stored estimates) marks what it reads; so is an empty ``-wal``, which a
    reader of a WAL database creates when none is there; the data is in the other files."""
    found = {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
        and not p.name.endswith("-shm")
        and not (p.name.endswith("-wal") and p.stat().st_size == 0)
        and p.relative_to(root).parts[0] != ".git"
        and p.relative_to(root).parts[:2] not in ((".dvc", "cache"), (".dvc", "tmp"))
    }
    found["git status"] = run(
        ["git", "status", "--porcelain", "--untracked-files=all"], root
    ).stdout
    return found


def test_read_only_the_work_tree_and_the_state_store_are_unchanged(
    history_project: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = history_project
    # The state store, created and closed (its WAL folded in now, not under the backtest).
    Workspace(load_config(root / "retrigger.yaml", environ={})).store.close()
    before = snapshot(root)
    assert ".retrigger/state.db" in before

    result = run_cli(
        "backtest",
        "--config",
        str(root / "retrigger.yaml"),
        "--json",
        "--set",
        "policy.cooldown=0s",
        "--compare",
        "--html",
        str(tmp_path / "out.html"),
    )

    assert result.code == 0, result.err
    assert snapshot(root) == before
    assert sqlite_rows(root / ".retrigger/state.db", "select count(*) from decisions") == [(0,)]


def test_json_is_one_document_with_the_points_and_the_limits(
    history_project: tuple[Path, list[str]],
) -> None:
    root, shas = history_project

    result = run_cli("backtest", "--config", str(root / "retrigger.yaml"), "--json")

    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["retrains"] == 4
    assert document["held"] == {"cooldown": 1, "identical-inputs": 1}
    assert document["replayed_retrains"] == [shas[2], shas[4], shas[6], shas[9]]
    point = document["points"][4]
    assert (point["commit"], point["fire"], point["trigger_types"]) == (shas[4], True, ["volume"])
    assert [r["kind"] for r in point["readings"]] == ["performance", "schedule", "volume", "drift"]
    assert [r["commit"] for r in document["real_retrains"]] == [shas[6]]
    assert any("model the replay would have trained is unknown" in t for t in document["limits"])


class Timelines(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.signals: list[str] = []
        self.svgs = 0
        self.replayed: dict[str, int] = {}
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section" and found.get("class") == "timeline":
            self.signals.append(str(found["data-signal"]))
        if tag == "svg":
            self.svgs += 1
        marker = f"{self.signals[-1]}-replayed-retrain-" if self.signals else None
        if tag == "g" and marker and str(found.get("id")).startswith(marker):
            self.replayed[self.signals[-1]] = self.replayed.get(self.signals[-1], 0) + 1
        if tag in ("script", "link", "img") or "src" in found:
            self.external.append(tag)


def test_html_has_one_timeline_per_configured_signal(
    history_project: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = history_project
    page = tmp_path / "backtest.html"

    result = run_cli("backtest", "--config", str(root / "retrigger.yaml"), "--html", str(page))

    assert result.code == 0, result.err
    parsed = Timelines()
    parsed.feed(page.read_text(encoding="utf-8"))
    assert parsed.signals == ["performance", "schedule", "volume", "drift"]
    assert parsed.svgs == 4
    assert parsed.replayed == {kind: 4 for kind in parsed.signals}
    assert parsed.external == []  # self-contained


def test_png_and_matplotlib_only_when_asked(
    history_project: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = history_project
    png = tmp_path / "backtest.png"
    code = (
        "import sys; from retrigger.cli.main import main; "
        f"code = main(['backtest', '--config', {str(root / 'retrigger.yaml')!r}, '--json']);"
        "print(code, 'matplotlib' in sys.modules)"
    )

    without = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=300
    )
    result = run_cli("backtest", "--config", str(root / "retrigger.yaml"), "--png", str(png))

    assert without.stdout.splitlines()[-1] == "0 False", without.stderr
    assert result.code == 0, result.err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("signals.performance.maxdrop", "0.1"),
        ("signals.performance.max_drop", "1.5"),
        ("policy.cooldown", "soon"),
    ],
)
def test_set_is_refused_with_the_message_config_validate_gives(
    history_project: tuple[Path, list[str]], key: str, value: str
) -> None:
    root, _ = history_project
    config = root / "retrigger.yaml"

    result = run_cli("backtest", "--config", str(config), "--set", f"{key}={value}")
    section, _, leaf = key.rpartition(".")
    text = config.read_text()
    if section == "policy":
        config.write_text(text.replace("policy: {cooldown: 3d}", f"policy: {{{leaf}: {value}}}"))
    else:
        config.write_text(
            text.replace("performance: {min: 0.8}", f"performance: {{min: 0.8, {leaf}: {value}}}")
        )
    validate = run_cli("config", "validate", "--config", str(config))

    assert (result.code, validate.code) == (2, 2)
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    # The same line, but for where the value came from.
    assert result.err.replace(f"(--set {key})", "(FROM)") == re.sub(
        rf"\({config.name}:\d+\)", "(FROM)", validate.err
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--from", "no-such-rev"], "--from no-such-rev: no such git revision"),
        (["--since", "soon"], "--since 'soon': expected a duration"),
        (["--set", "policy.cooldown"], "write KEY=VALUE"),
        (["--compare"], "--compare needs at least one --set"),
        (["--every", "soon"], "--every 'soon': expected a duration"),
        (["--every", "0s"], "--every '0s': give a positive interval"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    history_project: tuple[Path, list[str]], args: list[str], expected: str
) -> None:
    root, _ = history_project

    result = run_cli("backtest", "--config", str(root / "retrigger.yaml"), *args)

    assert result.code == 2
    assert expected in result.err and result.err.count("\n") == 1


def test_a_shallow_clone_says_how_to_get_the_history(
    history_project: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, shas = history_project
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", "--depth", "3", root.as_uri(), str(clone)], tmp_path)

    whole = run_cli("backtest", "--config", str(clone / "retrigger.yaml"))
    missing = run_cli("backtest", "--config", str(clone / "retrigger.yaml"), "--from", shas[1])

    assert whole.code == 2 and "git fetch --unshallow" in whole.err
    assert "--since (at most" in whole.err
    assert missing.code == 2 and "git fetch --unshallow" in missing.err
