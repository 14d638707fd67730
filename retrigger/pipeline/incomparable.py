"""Without validation rows, are the challenger's and the champion's numbers from the same data?

The challenger's metric is what the pipeline measured now; the champion's is what its run
recorded. When the stage that writes ``model.metrics_file`` read other data for each (its data
deps in the ``dvc.lock`` after the repro against the committed one, which holds the model in
use), the two numbers are not comparable: a bigger or different test split moves the number as
much as a better model does. Without such a stage, the data versions of the two runs are
compared. ``validation.when_incomparable`` says what the gate then does: ``hold`` (the
challenger becomes a registered candidate version, never aliased), ``promote`` or ``refuse``.
Neither a hold nor such a refusal is remembered as identical-inputs: the data was never fairly
tried.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from retrigger.pipeline.validation import Verdict

if TYPE_CHECKING:
    from pathlib import Path

    from retrigger.pipeline.candidate import Candidate
    from retrigger.pipeline.record import Warm
    from retrigger.pipeline.state import Job, Outputs
    from retrigger.workspace import Workspace

FAIR = (
    "for a fair comparison score both models on the same rows: `validation: {stage: NAME}` "
    "(your evaluate stage scores both) or `validation.data` (labelled rows retrigger scores "
    "both on)"
)


def rule(
    ws: Workspace, verdict: Verdict, ref_data: str | None, data: str | None, floor_ok: bool
) -> Verdict:
    """``verdict`` as ``validation.when_incomparable`` has it when the numbers' data differ."""
    if verdict.champion is None or not floor_ok:
        return verdict  # nothing compared, or refused on the challenger's own number
    who = f"{verdict.against} v{verdict.champion_version}" if verdict.champion_version else ""
    diff = difference(ws, who or verdict.against, ref_data, data)
    if diff is None:
        return verdict
    what = ws.config.validation.when_incomparable if ws.config.validation else "hold"
    text = f"the two numbers come from different data: {diff}"
    if what == "promote":
        return replace(
            verdict,
            reason=f"{verdict.reason}; {text} (validation.when_incomparable: promote)",
            incomparable=diff,
        )
    if what == "refuse":
        return replace(
            verdict,
            passed=False,
            reason=f"{text}; refused (validation.when_incomparable: refuse); {FAIR}",
            incomparable=diff,
        )
    return replace(
        verdict,
        passed=False,
        held=True,
        reason=f"{text} ({verdict.reason}); held as a candidate, not promoted; {FAIR}",
        incomparable=diff,
    )


def difference(ws: Workspace, who: str, ref_data: str | None, data: str | None) -> str | None:
    """None when both numbers were measured on the same data; else a sentence naming both."""
    metric = ws.config.model.metric
    split = _split(ws)
    if split is not None:
        stage, now, before, head = split
        changed = sorted(p for p in now.keys() | before.keys() if now.get(p) != before.get(p))
        if not changed:
            return None
        return (
            f"stage {stage} measured the challenger's {metric} on "
            f"{_files(ws.root, now, changed)}, and {who}'s on "
            f"{_files(ws.root, before, changed)} (the committed dvc.lock, HEAD {head[:8]})"
        )
    if ref_data is not None and ref_data == data:
        return None
    return (
        f"the challenger's {metric} was measured on data version {data or 'unknown'}, "
        f"{who}'s on data version {ref_data or 'unknown'}"
    )


def _split(ws: Workspace) -> tuple[str, dict[str, str], dict[str, str], str] | None:
    """The stage writing the metrics file, and its data deps (file → md5) now and at HEAD."""
    from retrigger.data.versions import load_yaml, read_text
    from retrigger.gitutil import head_commit, show_file

    model = ws.config.model
    head = head_commit(ws.root)
    if model.metrics_file is None or head is None:
        return None
    now_text = read_text(ws.root, None, "dvc.lock")
    then_text = show_file(ws.root, head, "dvc.lock")
    if now_text is None or then_text is None:
        return None
    target = str(PurePosixPath(model.metrics_file))
    now, then = _stages(load_yaml(now_text, "dvc.lock")), _stages(load_yaml(then_text, "dvc.lock"))
    stage = next((n for n, s in now.items() if target in _paths(s.get("outs"))), None)
    if stage is None or stage not in then:
        return None
    skip = str(PurePosixPath(model.artifact)) if model.artifact else None
    return (
        stage,
        _data_deps(ws.root, now[stage], skip),
        _data_deps(ws.root, then[stage], skip),
        head,
    )


def _stages(lock: dict[str, Any]) -> dict[str, dict[str, Any]]:
    raw = lock.get("stages")
    return (
        {str(k): v for k, v in raw.items() if isinstance(v, dict)} if isinstance(raw, dict) else {}
    )


def _paths(entries: Any) -> dict[str, str]:
    return {
        str(PurePosixPath(str(e["path"]))): str(e.get("md5") or "")
        for e in entries or []
        if isinstance(e, dict) and e.get("path")
    }


def _data_deps(root: Path, stage: dict[str, Any], skip: str | None) -> dict[str, str]:
    """Data files a stage read (directories expanded through their cached manifest)."""
    from retrigger.data.cache import read_manifest, visible
    from retrigger.data.formats import format_of

    found: dict[str, str] = {}
    for path, md5 in _paths(stage.get("deps")).items():
        if path == skip:
            continue
        if md5.endswith(".dir"):
            manifest = read_manifest(root, md5)
            if manifest is None:
                found[path] = md5
                continue
            found.update({f"{path}/{rel}": m for rel, m in manifest.items() if visible(rel)})
        elif format_of(path).known:
            found[path] = md5
    return found


def _files(root: Path, md5s: dict[str, str], paths: list[str]) -> str:
    shown = [f"{p} ({_rows(root, p, md5s[p])}md5 {md5s[p][:8]})" for p in paths if p in md5s]
    return ", ".join(shown) or "none of them"


def _rows(root: Path, path: str, md5: str) -> str:
    from retrigger.data.odb import cache_path
    from retrigger.data.rows import count_rows

    obj = cache_path(root, md5)
    try:
        rows = count_rows(obj, path, path) if obj.is_file() else None
    except Exception:  # a damaged object only costs the row count in a message
        rows = None
    return f"{rows} rows, " if rows is not None else ""


def hold(
    ws: Workspace,
    mlflow: Warm,
    job: Job,
    run_id: str,
    outputs: Outputs,
    candidate: Candidate,
    about: str | None = None,
) -> tuple[str, str]:
    """Register the challenger as a candidate version (never aliased: not a promotion, so
    ``history`` and ``explain`` show no promoted version) and say how to promote it by hand."""
    from retrigger.lineage import tags
    from retrigger.lineage.description import run_name
    from retrigger.lineage.status import RetrainStatus
    from retrigger.pipeline import record, registry

    client = mlflow.client()
    name, alias = ws.config.model.name, ws.config.pipeline.champion_alias
    version = registry.register(
        client,
        name,
        run_id,
        job.decision.id,
        {
            tags.TRIGGER_TYPES: ",".join(job.decision.trigger_types),
            tags.DATA_VERSION: str(outputs.data_version or ""),
            tags.STATUS: str(RetrainStatus.HELD),
        },
        source=candidate.source,
        adopted=candidate.version,
        model_id=candidate.model_id,
    )
    if about:  # why this candidate exists, as a promoted version says it
        client.update_model_version(name, version, description=about[:5000])
    record.set_status(
        client,
        run_id,
        RetrainStatus.HELD,
        {tags.CANDIDATE_VERSION: version},
        name=run_name(job.decision.id, RetrainStatus.HELD),
    )
    return version, (
        f"held {name} v{version} as a candidate: registered, not promoted, @{alias} unchanged; "
        f"to promote it by hand: `retrigger champion set {version}`"
    )
