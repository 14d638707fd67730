"""Reading what `dvc repro` did from its log: the lines DVC 3 prints for a stage that ran, one
that did not change, one restored from the run cache, and its closing line."""

from __future__ import annotations

from retrigger.pipeline.repro_report import ReproReport, is_dvc_repro

UP_TO_DATE = """\
'data/data.csv.dvc' didn't change, skipping
Stage 'prepare' didn't change, skipping
Stage 'train' didn't change, skipping
Data and pipelines are up to date.
"""

RESTORED = """\
'data/data.csv.dvc' didn't change, skipping
Stage 'prepare' didn't change, skipping
Stage 'train' is cached - skipping run, checking out outputs
Stage 'evaluate@test' is cached - skipping run, checking out outputs
Updating lock file 'dvc.lock'
Use `dvc push` to send your updates to remote storage.
"""

RAN = """\
Stage 'prepare' didn't change, skipping
Running stage 'train':
> python train.py
Updating lock file 'dvc.lock'
Use `dvc push` to send your updates to remote storage.
"""


def report(log: str) -> ReproReport:
    found = ReproReport()
    for line in log.splitlines():
        found.see(line)
    return found


def test_up_to_date_stages_are_nothing_trained_and_data_sources_are_not_stages() -> None:
    found = report(UP_TO_DATE)
    assert found.trained_nothing
    assert found.unchanged == ["prepare", "train"]
    assert found.describe() == "prepare, train unchanged since dvc.lock"


def test_stages_restored_from_the_run_cache_trained_nothing() -> None:
    found = report(RESTORED)
    assert found.trained_nothing
    assert found.restored == ["train", "evaluate@test"]
    assert "train, evaluate@test restored from DVC's run cache" in found.describe()


def test_a_stage_that_ran_trained_something() -> None:
    found = report(RAN)
    assert not found.trained_nothing
    assert found.ran == ["train"]
    assert found.describe().startswith("ran train; prepare unchanged")


def test_a_log_without_dvc_s_closing_line_is_never_judged() -> None:
    """`dvc repro -q` or a run cut short prints no summary: nothing is claimed either way."""
    found = report("Stage 'train' didn't change, skipping\n")
    assert not found.trained_nothing
    assert not ReproReport().trained_nothing


def test_the_report_survives_the_state_store_round_trip() -> None:
    found = report(RESTORED)
    assert ReproReport.from_json(found.as_json()) == found


def test_only_dvc_repro_commands_are_read() -> None:
    assert is_dvc_repro(["dvc", "repro"])
    assert is_dvc_repro(["/opt/venv/bin/dvc", "repro", "train"])
    assert is_dvc_repro(["python", "-m", "dvc", "repro"])
    assert not is_dvc_repro(["dvc", "exp", "run"])
    assert not is_dvc_repro(["make", "train"])
