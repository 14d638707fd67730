"""The installed git hooks, exercised through real ``git commit`` and ``git push``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from retrigger.githooks.install import DVC_SUFFIX, LEGACY_SUFFIX, MARKER
from tests.conftest import sqlite_rows
from tests.support.cli import run_cli
from tests.support.dvcrepo import add_rows, sh


def _install(root: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "retrigger", "hooks", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _commit(root: Path, message: str, *, check: bool = True) -> str:
    return sh(root, "git", "commit", "-m", message, check=check)


def test_install_twice_changes_nothing_and_uninstall_removes(dvc_repo: Path) -> None:
    first = _install(dvc_repo, "install")
    hook = dvc_repo / ".git" / "hooks" / "pre-commit"
    content = hook.read_text()
    second = _install(dvc_repo, "install")

    assert "installed" in first and second.count("unchanged") == 2
    assert hook.read_text() == content and MARKER in content
    _install(dvc_repo, "uninstall")
    assert not hook.exists() and not (dvc_repo / ".git/hooks/pre-push").exists()


def test_an_existing_hook_is_chained_then_restored(dvc_repo: Path) -> None:
    hook = dvc_repo / ".git" / "hooks" / "pre-commit"
    original = "#!/bin/sh\necho team-hook-ran > team-hook.txt\n"
    hook.write_text(original)
    hook.chmod(0o755)
    _install(dvc_repo, "install")
    add_rows(dvc_repo, 111)
    sh(dvc_repo, "git", "add", "data/train.csv.dvc")

    output = _commit(dvc_repo, "more rows")

    assert (dvc_repo / "team-hook.txt").read_text().strip() == "team-hook-ran"
    assert "retrigger: data/train.csv: +11 rows (+11.0%)" in output
    _install(dvc_repo, "uninstall")
    assert hook.read_text() == original
    assert not hook.with_name("pre-commit" + LEGACY_SUFFIX).exists()


def test_a_failing_existing_hook_still_blocks_the_commit(dvc_repo: Path) -> None:
    hook = dvc_repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho no commits today >&2\nexit 1\n")
    hook.chmod(0o755)
    _install(dvc_repo, "install")
    (dvc_repo / "notes.txt").write_text("x\n")
    sh(dvc_repo, "git", "add", "notes.txt")

    output = _commit(dvc_repo, "blocked", check=False)

    assert "no commits today" in output
    assert "blocked" not in sh(dvc_repo, "git", "log", "--oneline")


def test_core_hooks_path_is_honoured(dvc_repo: Path) -> None:
    sh(dvc_repo, "git", "config", "core.hooksPath", ".githooks")

    _install(dvc_repo, "install")

    assert MARKER in (dvc_repo / ".githooks" / "pre-commit").read_text()
    assert not (dvc_repo / ".git" / "hooks" / "pre-commit").exists()


def test_a_commit_without_data_changes_prints_nothing(dvc_repo: Path) -> None:
    _install(dvc_repo, "install")
    (dvc_repo / "notes.txt").write_text("x\n")
    sh(dvc_repo, "git", "add", "notes.txt")

    output = _commit(dvc_repo, "notes")

    assert "retrigger" not in output


def test_an_invalid_config_blocks_the_commit_with_the_validate_message(dvc_repo: Path) -> None:
    _install(dvc_repo, "install")
    config = dvc_repo / "retrigger.yaml"
    config.write_text(config.read_text() + "signals:\n  volume: {min_new_rowz: 5}\n")
    sh(dvc_repo, "git", "add", "retrigger.yaml")
    validate = run_cli("config", "validate", "--config", str(config))

    output = _commit(dvc_repo, "typo", check=False)

    assert validate.code == 2
    assert validate.err.strip() in output
    assert "typo" not in sh(dvc_repo, "git", "log", "--oneline")


def test_a_malformed_staged_dvc_file_warns_and_the_commit_goes_on(dvc_repo: Path) -> None:
    _install(dvc_repo, "install")
    (dvc_repo / "data/train.csv.dvc").write_text("outs: [md5: {\n")
    sh(dvc_repo, "git", "add", "data/train.csv.dvc")

    output = _commit(dvc_repo, "broken dvc file")

    assert "retrigger: warning: data-delta: data/train.csv.dvc" in output
    assert "Traceback" not in output
    assert "broken dvc file" in sh(dvc_repo, "git", "log", "--oneline")


def _hook(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "retrigger.hooks", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_hooks_do_nothing_outside_git_without_dvc_and_during_a_merge(
    dvc_repo: Path, tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    sh(plain, "git", "init", "-q")
    add_rows(dvc_repo, 150)
    sh(dvc_repo, "git", "add", "data/train.csv.dvc")
    (dvc_repo / ".git" / "MERGE_HEAD").write_text("0" * 40 + "\n")

    results = [
        _hook(tmp_path, "pre-commit"),
        _hook(plain, "pre-commit"),
        _hook(dvc_repo, "pre-commit"),
        _hook(dvc_repo, "pre-push", "origin", "x"),
    ]

    assert [(r.returncode, r.stdout, r.stderr) for r in results] == [(0, "", "")] * 4


def test_an_unknown_hook_name_is_a_usage_error() -> None:
    result = _hook(Path.cwd(), "post-frobnicate")

    assert result.returncode == 2 and "unknown hook 'post-frobnicate'" in result.stderr


def _bare_origin(root: Path) -> Path:
    origin = root.parent / "origin.git"
    sh(root.parent, "git", "init", "-q", "--bare", str(origin))
    sh(root, "git", "remote", "add", "origin", str(origin))
    return origin


@pytest.mark.slow
def test_pre_push_after_dvc_install_records_each_arrival_once(
    dvc_repo: Path, mlflow_db_template: Path
) -> None:
    import shutil

    shutil.copyfile(mlflow_db_template, dvc_repo / "mlflow.db")
    _bare_origin(dvc_repo)
    sh(dvc_repo, "dvc", "install")  # DVC's own hooks: its pre-push runs `dvc push`
    dvc_pre_push = (dvc_repo / ".git/hooks/pre-push").read_text()
    _install(dvc_repo, "install")
    first = sh(dvc_repo, "git", "push", "-q", "origin", "main")
    add_rows(dvc_repo, 190)
    sh(dvc_repo, "git", "add", "data/train.csv.dvc")
    _commit(dvc_repo, "190 rows")

    second = sh(dvc_repo, "git", "push", "-q", "origin", "main")
    (dvc_repo / "notes.txt").write_text("no data here\n")
    sh(dvc_repo, "git", "add", "notes.txt")
    _commit(dvc_repo, "notes")
    third = sh(dvc_repo, "git", "push", "-q", "origin", "main")

    assert "arrived on the DVC remote (recorded)" in first, first
    assert "data/train.csv: +90 rows (+90.0%)" in second, second
    assert "retrigger" not in third  # no data file in the pushed commits: nothing to do
    rows = sqlite_rows(dvc_repo / ".retrigger" / "state.db", "SELECT source FROM data_arrivals")
    assert rows == [("pre-push",), ("pre-push",)]
    _install(dvc_repo, "uninstall")
    assert (dvc_repo / ".git/hooks/pre-push").read_text() == dvc_pre_push


def test_the_cli_runs_the_same_hooks(
    dvc_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(dvc_repo)
    add_rows(dvc_repo, 104)
    sh(dvc_repo, "git", "add", "data/train.csv.dvc")

    delta = run_cli("hook", "data-delta")
    printed = capsys.readouterr().out  # the hook prints directly, as under git
    uninstalled = run_cli("hooks", "uninstall")

    assert delta.code == 0
    assert "retrigger: data/train.csv: +4 rows (+4.0%)" in delta.out + printed
    assert uninstalled.code == 0 and "pre-commit: absent" in uninstalled.out


@pytest.mark.slow
def test_pre_push_without_dvcs_hook_is_quiet_and_records_nothing(dvc_repo: Path) -> None:
    """No `dvc push` ran, so nothing reached the DVC remote: no arrival, and no warning that
    the remote lacks data the user never asked to push."""
    _bare_origin(dvc_repo)
    _install(dvc_repo, "install")  # no `dvc install`: nobody pushes the data
    sh(dvc_repo, "git", "push", "-q", "origin", "main")
    add_rows(dvc_repo, 199)
    sh(dvc_repo, "git", "add", "data/train.csv.dvc")
    _commit(dvc_repo, "199 rows")

    output = sh(dvc_repo, "git", "push", "-q", "origin", "main")

    assert "retrigger" not in output
    assert "199 rows" in sh(dvc_repo, "git", "log", "--oneline", "origin/main")
    assert not (dvc_repo / ".retrigger" / "state.db").exists()


@pytest.mark.slow
def test_hooks_installed_before_dvc_install_chain_dvcs_with_dvc(
    dvc_repo: Path, mlflow_db_template: Path
) -> None:
    import shutil

    shutil.copyfile(mlflow_db_template, dvc_repo / "mlflow.db")
    _bare_origin(dvc_repo)
    plain = _install(dvc_repo, "install")
    refused = sh(dvc_repo, "dvc", "install", check=False)  # DVC's installer refuses

    with_dvc = _install(dvc_repo, "install", "--with-dvc")
    again = _install(dvc_repo, "install", "--with-dvc")

    assert "--with-dvc" in plain and "already exists" in refused
    assert "DVC's hooks installed" in with_dvc and again.count("unchanged") == 3
    hooks = dvc_repo / ".git" / "hooks"
    for hook in ("pre-commit", "pre-push", "post-checkout"):
        assert MARKER in (hooks / hook).read_text()
        assert "dvc git-hook" in (hooks / (hook + DVC_SUFFIX)).read_text()
    add_rows(dvc_repo, 130)
    sh(dvc_repo, "git", "add", "data/train.csv.dvc")
    _commit(dvc_repo, "130 rows")
    pushed = sh(dvc_repo, "git", "push", "-q", "origin", "main")  # DVC's pre-push, then ours
    assert "arrived on the DVC remote (recorded)" in pushed, pushed  # `dvc push` ran first
    assert "data/train.csv: new, 130 rows" in pushed


def test_the_delta_hook_reports_data_and_sums_up_other_outputs(dvc_repo: Path) -> None:
    """A retrain's dvc.lock changes the model and features too: they get one line, not rows."""
    (dvc_repo / "train.py").write_text(
        "import pathlib\npathlib.Path('model.pkl').write_text(open('data/train.csv').read()[:9])\n"
    )
    (dvc_repo / "dvc.yaml").write_text(
        "stages:\n  train:\n    cmd: python train.py\n"
        "    deps: [data/train.csv, train.py]\n"
        "    outs: [model.pkl]\n"
    )
    sh(dvc_repo, "dvc", "repro", "-q")
    add_rows(dvc_repo, 120)
    sh(dvc_repo, "dvc", "repro", "-q")
    sh(dvc_repo, "git", "add", "-A")

    _install(dvc_repo, "install")
    output = _commit(dvc_repo, "rows and model")

    assert "retrigger: data/train.csv: +20 rows (+20.0%)" in output, output
    assert "retrigger: 1 other pipeline output(s) changed: model.pkl" in output
    assert "model.pkl:" not in output  # no row counting of a model


def test_the_first_commit_of_a_repo_reports_new_data(tmp_path: Path) -> None:
    from tests.support.dvcrepo import write_csv

    root = tmp_path / "fresh"
    root.mkdir()
    sh(root, "git", "init", "-q")
    sh(root, "dvc", "init", "-q")
    _install(root, "install")
    write_csv(root / "data.csv", 0, 42)
    sh(root, "dvc", "add", "-q", "data.csv")
    sh(root, "git", "add", "-A")

    output = _commit(root, "first")

    assert "retrigger: data.csv: new, 42 rows" in output, output
