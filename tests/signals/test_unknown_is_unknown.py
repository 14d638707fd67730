"""A signal that could not read its input says `unknown`, why, and a command that exists — in
`check`'s table, `--json`, `explain` and the Slack message — never `ok`.

The wine project as a team has it before adopting retrigger: its run recorded no data version,
so volume and drift have nothing to compare today's data with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from retrigger.notify.payloads import decision_payload
from retrigger.notify.render import render
from retrigger.store import decisions, outbox
from retrigger.workspace import Workspace
from tests.support.cli import run_cli

pytestmark = pytest.mark.slow

COMMAND = "retrigger baseline set RUN_ID --record-data"


def _configure(root: Path) -> str:
    path = root / "retrigger.yaml"
    config = yaml.safe_load(path.read_text())
    config["signals"] = {"volume": {"min_new_rows": 1}, "drift": {"share": 0.5}}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return str(path)


def test_no_recorded_data_version_is_unknown_everywhere_and_the_hint_works(wine: Path) -> None:
    config = _configure(wine)

    shown = run_cli("check", "-c", config, "--json")
    table = run_cli("check", "-c", config)

    assert shown.code == 0, shown.err
    found = json.loads(shown.out)
    states = {s["kind"]: s for s in found["signals"]}
    for kind in ("volume", "drift"):
        assert states[kind]["state"] == "unknown"
        assert COMMAND in states[kind]["detail"]
    assert len(found["warnings"]) == 2
    rows = [line for line in table.out.splitlines() if line.lstrip("│ ").startswith("volume")]
    assert rows and "UNKNOWN" in rows[0] and " ok " not in rows[0]
    told = run_cli("explain", found["decision_id"], "-c", config)
    assert "volume       UNKNOWN" in told.out and "drift        UNKNOWN" in told.out
    workspace = Workspace.load(Path(config))
    with workspace.store.transaction() as conn:
        stored = decisions.get(conn, found["decision_id"])
    assert stored is not None
    fields = render(outbox.TRIGGER_FIRED, decision_payload(stored)).blocks[2]["fields"]
    assert [f["text"].split("\n")[0] for f in fields] == [
        "*volume — UNKNOWN*",
        "*drift — UNKNOWN*",
    ]
    # The command the hint names exists and does what it says: volume becomes measurable.
    from mlflow.tracking import MlflowClient

    team_run = (
        MlflowClient(tracking_uri=f"sqlite:///{wine / 'mlflow.db'}")
        .get_model_version("wine", "1")
        .run_id
    )
    assert team_run is not None
    assert run_cli("baseline", "set", team_run, "--record-data", "-c", config).code == 0
    again = json.loads(run_cli("check", "-c", config, "--json").out)
    volume = next(s for s in again["signals"] if s["kind"] == "volume")
    assert (volume["state"], volume["value"]) == ("ok", 0.0)
