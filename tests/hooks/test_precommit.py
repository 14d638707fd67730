"""``hooks install --pre-commit`` and real pre-commit committing through the hooks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.dvcrepo import add_rows, sh

FILE = ".pre-commit-config.yaml"
EXISTING = """\
# our team's hooks; keep this comment
repos:
  - repo: local
    hooks:
      - id: say-hi
        name: say hi
        entry: echo hi
        language: system
"""


def _hooks(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "retrigger", "hooks", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def test_install_appends_keeps_comments_is_idempotent_and_uninstall_restores(
    dvc_repo: Path,
) -> None:
    (dvc_repo / FILE).write_text(EXISTING)

    first = _hooks(dvc_repo, "install", "--pre-commit")
    after_first = (dvc_repo / FILE).read_text()
    second = _hooks(dvc_repo, "install", "--pre-commit")

    assert first.returncode == 0 and "installed" in first.stdout
    assert after_first.startswith(EXISTING) and "id: retrigger-data-delta" in after_first
    assert "unchanged" in second.stdout and (dvc_repo / FILE).read_text() == after_first
    sh(dvc_repo, "pre-commit", "validate-config", FILE)  # raises when pre-commit refuses it
    _hooks(dvc_repo, "uninstall", "--pre-commit")
    assert (dvc_repo / FILE).read_text() == EXISTING


def test_a_config_that_cannot_be_appended_to_is_exit_2_and_untouched(dvc_repo: Path) -> None:
    text = "repos: []\ndefault_stages: [pre-commit]\n"
    (dvc_repo / FILE).write_text(text)

    result = _hooks(dvc_repo, "install", "--pre-commit")

    assert result.returncode == 2 and "`repos:` is not its last key" in result.stderr
    assert (dvc_repo / FILE).read_text() == text


def test_outside_git_install_is_exit_2(tmp_path: Path) -> None:
    result = _hooks(tmp_path, "install")

    assert result.returncode == 2 and "is not inside a git repository" in result.stderr


@pytest.mark.slow
def test_real_pre_commit_prints_the_delta_and_blocks_a_bad_config(dvc_repo: Path) -> None:
    assert _hooks(dvc_repo, "install", "--pre-commit").returncode == 0
    sh(dvc_repo, "pre-commit", "install")
    sh(dvc_repo, "git", "add", FILE)
    sh(dvc_repo, "git", "commit", "-q", "-m", "pre-commit config")
    add_rows(dvc_repo, 125)
    sh(dvc_repo, "git", "add", "data/train.csv.dvc")

    committed = sh(dvc_repo, "git", "commit", "-m", "125 rows")
    config = dvc_repo / "retrigger.yaml"
    config.write_text(config.read_text().replace("model:", "modle:"))
    sh(dvc_repo, "git", "add", "retrigger.yaml")
    blocked = sh(dvc_repo, "git", "commit", "-m", "typo", check=False)

    assert "retrigger: data/train.csv: +25 rows (+25.0%)" in committed, committed
    assert "retrigger data delta (never blocks)" in committed
    assert "retrigger: error:" in blocked and "Failed" in blocked
    assert "typo" not in sh(dvc_repo, "git", "log", "--oneline")


def test_the_published_manifest_is_valid() -> None:
    manifest = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"

    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(manifest)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_with_dvc_puts_dvcs_entries_before_ours_in_either_order(dvc_repo: Path) -> None:
    """pre-commit runs hooks in the file's order: `dvc push` must run before our pre-push."""
    assert _hooks(dvc_repo, "install", "--pre-commit").returncode == 0

    result = _hooks(dvc_repo, "install", "--pre-commit", "--with-dvc")

    assert result.returncode == 0, result.stderr
    text = (dvc_repo / FILE).read_text()
    assert -1 < text.index("dvc-pre-push") < text.index("retrigger-pre-push")
    assert text.count("id: retrigger-pre-push") == 1 and text.count("id: dvc-pre-push") == 1
    validated = subprocess.run(
        [str(Path(sys.executable).parent / "pre-commit"), "validate-config", FILE],
        cwd=dvc_repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
