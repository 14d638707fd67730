"""``retrigger init``: write the files that make a git + DVC project retrain on signals.

Every target is planned before anything is written, so a refusal (an existing file without
``--force``) leaves the project exactly as it was. In a project that already has
``retrigger.yaml``, ``--ci NAME`` adds that orchestrator's files and touches nothing else;
``--force`` overwrites only the files named and keeps the old one as ``<file>.bak``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from retrigger.config.schema import SCHEMA_ID, modeline, schema_text
from retrigger.errors import BadInput
from retrigger.githooks import precommit_config
from retrigger.scaffold.estimated import WHY as ESTIMATION_WHY
from retrigger.scaffold.events import CHOICES as EVENT_CHOICES
from retrigger.scaffold.events import section as event_section
from retrigger.scaffold.events import setup_steps as event_steps
from retrigger.scaffold.facts import ProjectFacts, inspect_project, model_id
from retrigger.scaffold.gitignore import plan_gitignore
from retrigger.scaffold.merge import fill_missing
from retrigger.scaffold.planned import (
    CONFLICT,
    CREATE,
    KEEP,
    OVERWRITE,
    UPDATE,
    PlannedFile,
)
from retrigger.scaffold.policy_doc import plan_policy_document
from retrigger.scaffold.render import render

__all__ = ["CI_CHOICES", "GITLAB_FILE", "InitResult", "PlannedFile", "apply", "init", "plan"]

CI_CHOICES = ("github", "gitlab", "airflow", "k8s")
CONFIG = "retrigger.yaml"
GITLAB_FILE = ".gitlab/retrigger.yml"
BACKUP = ".bak"


@dataclass(frozen=True)
class InitResult:
    facts: ProjectFacts
    planned: list[PlannedFile]
    next_steps: list[str] = field(default_factory=list)


def init(start: Path, ci: list[str], force: bool, events: list[str] | None = None) -> InitResult:
    """Plan, refuse or write; return what was done and what to do next."""
    sources = _events_validated(events or [])
    facts = inspect_project(start)
    # In a project that has retrigger.yaml, --ci and --events add only what they name.
    ci_only = bool(ci or sources) and (facts.root / CONFIG).exists()
    chosen = [] if ci_only and not ci else _validated(ci)
    if (facts.root / CONFIG).exists() and not force:
        facts = _as_configured(facts)
    planned = plan(facts, chosen, force, ci_only, sources)
    apply(facts.root, planned)
    steps = _next_steps(facts, chosen, planned)
    return InitResult(facts, planned, steps + (event_steps(facts, sources) if sources else []))


def _events_validated(events: list[str]) -> list[str]:
    unknown = [e for e in events if e not in EVENT_CHOICES]
    if unknown:
        raise BadInput(
            f"unknown --events {unknown[0]!r}; valid choices: {', '.join(EVENT_CHOICES)}"
        )
    return list(dict.fromkeys(events))


def _validated(ci: list[str]) -> list[str]:
    unknown = [c for c in ci if c not in CI_CHOICES]
    if unknown:
        raise BadInput(f"unknown --ci {unknown[0]!r}; valid choices: {', '.join(CI_CHOICES)}")
    return list(dict.fromkeys(ci or ["github"]))


def plan(
    facts: ProjectFacts,
    ci: list[str],
    force: bool,
    ci_only: bool = False,
    events: list[str] | None = None,
) -> list[PlannedFile]:
    """Every file init would touch and how; BadInput naming all conflicts without --force."""
    rerun = (facts.root / CONFIG).exists() and not force
    config_text, config_plan = _config(facts, rerun and not ci_only)
    if events and not ci_only:
        config_text += event_section(facts, events)
    wanted = (
        []
        if ci_only
        else [
            *([] if config_plan else [(CONFIG, config_text, "thresholds and policy")]),
            (SCHEMA_ID, schema_text(), "JSON Schema of retrigger.yaml: editors complete it"),
            (
                "slack-app-manifest.yml",
                render("slack-app-manifest.yml", facts),
                "paste into api.slack.com/apps to create the bot",
            ),
        ]
    )
    wanted += _ci_files(facts, ci)
    planned = [
        # A rerun keeps the files the user edited; one named with --ci is refused instead.
        _plan_one(facts.root, path, content, why, force, keep=rerun and not ci_only)
        for path, content, why in wanted
    ]
    if config_plan is not None:
        planned.insert(0, config_plan)
    if ci_only and events:
        planned.append(_plan_events(facts, events))
    if not ci_only:
        planned.append(plan_policy_document(facts.root, config_text))
        planned.append(plan_gitignore(facts.root, facts.tracking_uri))
        planned.append(_plan_precommit(facts.root))
    conflicts = [p.path for p in planned if p.action == CONFLICT]
    if conflicts:
        raise BadInput(
            f"{', '.join(conflicts)} already exist(s) in {facts.root}; nothing was "
            f"written. Move them aside, or rerun with --force to overwrite them "
            f"(the old ones are kept as *{BACKUP})"
        )
    return planned


def _ci_files(facts: ProjectFacts, ci: list[str]) -> list[tuple[str, str, str]]:
    files: list[tuple[str, str, str]] = []
    if "github" in ci:
        files.append(
            (
                ".github/workflows/retrain.yml",
                render("github-retrain.yml", facts),
                "GitHub Actions: check on a schedule, retrain when it fires, open a PR",
            )
        )
    if "gitlab" in ci:
        files.append(
            (
                GITLAB_FILE,
                render("gitlab-retrain.yml", facts),
                "GitLab CI: scheduled check, retrain, merge request",
            )
        )
    if "airflow" in ci:
        files.append(
            (
                f"airflow/dags/retrain_{facts.model_id.replace('-', '_')}.py",
                render("airflow_dag.py.tmpl", facts),
                "Airflow DAG: check → approval → retrain",
            )
        )
    if "k8s" in ci:
        files.append(
            (
                "k8s/retrigger-cronjob.yaml",
                render("k8s-cronjob.yaml", facts),
                "Kubernetes CronJob (state on PostgreSQL)",
            )
        )
    return files


def _plan_events(facts: ProjectFacts, events: list[str]) -> PlannedFile:
    """The events section appended to an existing retrigger.yaml (refused when it has one)."""
    text = (facts.root / CONFIG).read_text(encoding="utf-8")
    if any(line.startswith("events:") for line in text.splitlines()):
        raise BadInput(
            f"{CONFIG} already has an events: section; edit it (docs/events.md), nothing "
            "was written"
        )
    return PlannedFile(CONFIG, UPDATE, "events: section", text + event_section(facts, events))


def apply(root: Path, planned: list[PlannedFile]) -> None:
    for item in planned:
        target = root / item.path
        if item.path == precommit_config.FILE and item.action != KEEP:
            precommit_config.install(root)
            continue
        if item.content is None:
            continue
        if item.backup and target.exists():
            shutil.copyfile(target, target.with_name(target.name + BACKUP))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(item.content, encoding="utf-8")


def _plan_one(
    root: Path, path: str, content: str, why: str, force: bool, keep: bool = False
) -> PlannedFile:
    """``keep``: a rerun of init, where a file that differs is the user's edit, not a conflict."""
    target = root / path
    if not target.exists():
        return PlannedFile(path, CREATE, why, content)
    if target.read_text(encoding="utf-8", errors="replace") == content:
        return PlannedFile(path, KEEP, "already up to date")
    if keep and path == SCHEMA_ID:  # generated from this retrigger, never edited by hand
        return PlannedFile(path, UPDATE, f"{why}; as this retrigger has it", content)
    if keep and not force:
        return PlannedFile(path, KEEP, "yours, left as it is (--force rewrites it, with a .bak)")
    if force:
        return PlannedFile(
            path,
            OVERWRITE,
            f"{why}; the previous one is kept as {path}{BACKUP}",
            content,
            backup=True,
        )
    return PlannedFile(path, CONFLICT, why)


def _config(facts: ProjectFacts, rerun: bool) -> tuple[str, PlannedFile | None]:
    """retrigger.yaml's text as it will be, and its plan when a rerun merges it."""
    fresh = modeline() + render("retrigger.yaml.tmpl", facts)
    if not rerun:
        return fresh, None
    planned = _plan_rerun(facts.root, fresh)
    if planned.content is not None:
        return planned.content, planned
    return (facts.root / CONFIG).read_text(encoding="utf-8"), planned


def _plan_rerun(root: Path, fresh: str) -> PlannedFile:
    """retrigger.yaml on a second init: the user's values kept, the keys it lacks filled."""
    merged = fill_missing((root / CONFIG).read_text(encoding="utf-8"), fresh)
    if not merged.added:
        return PlannedFile(CONFIG, KEEP, "your values, nothing missing")
    return PlannedFile(
        CONFIG,
        UPDATE,
        f"your values kept; added {', '.join(merged.added)} (the old one kept as {CONFIG}{BACKUP})",
        merged.text,
        backup=True,
    )


def _as_configured(facts: ProjectFacts) -> ProjectFacts:
    """The facts with the model name retrigger.yaml already uses: the CI files a rerun writes
    name the same model (concurrency group, PR titles) as the config the user kept."""
    try:
        raw = yaml.safe_load((facts.root / CONFIG).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return facts
    if not isinstance(raw, dict):
        return facts
    # What the user already chose is no longer an open question.
    undecided = tuple(note for note in facts.undecided if not _chosen(raw, note.split(":", 1)[0]))
    if raw.get("validation") or raw.get("estimation"):
        # labelled rows to score on, or an estimate already set up: nothing to propose
        found = tuple(note for note in facts.found if not note.startswith(ESTIMATION_WHY))
        facts = replace(facts, estimation=None, found=found)
    model = raw.get("model")
    name = model.get("name") if isinstance(model, dict) else None
    if not isinstance(name, str) or not name:
        return replace(facts, undecided=undecided)
    return replace(facts, model=name, model_id=model_id(name), undecided=undecided)


def _chosen(raw: dict[str, object], dotted: str) -> bool:
    """Whether retrigger.yaml holds one value (not null, not a list of candidates) there."""
    node: object = raw
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return node is not None and not isinstance(node, list)


def _plan_precommit(root: Path) -> PlannedFile:
    """The hooks engineer's installer, tried on a copy first: a config it cannot extend
    safely must stop init before anything is written."""
    path, why = precommit_config.FILE, "retrigger's pre-commit hooks (repo: local)"
    existing = root / path
    with tempfile.TemporaryDirectory(prefix="retrigger-init-") as scratch:
        if existing.exists():
            shutil.copyfile(existing, Path(scratch) / path)
        outcome = precommit_config.install(Path(scratch))
    if outcome != "installed":
        return PlannedFile(path, KEEP, outcome)
    return PlannedFile(path, UPDATE if existing.exists() else CREATE, why)


def _retrigger() -> str:
    """How to call retrigger from this shell: its name when PATH finds it, else the full path
    of the one running (a venv that is not activated, a tool dir not on PATH)."""
    if shutil.which("retrigger"):
        return "retrigger"
    beside = Path(sys.executable).parent / "retrigger"
    return str(beside) if beside.is_file() else f"{sys.executable} -m retrigger"


def _next_steps(facts: ProjectFacts, ci: list[str], planned: list[PlannedFile]) -> list[str]:
    written = {p.path for p in planned if p.action in (CREATE, OVERWRITE, UPDATE)}
    me = _retrigger()
    steps = []
    if facts.undecided:
        steps.append(
            "choose what init could not decide (listed at the top of retrigger.yaml),"
            f" then `{me} config validate`"
        )
    if GITLAB_FILE in written:
        steps.append(f"add to your .gitlab-ci.yml:  include: [{{local: {GITLAB_FILE}}}]")
    if precommit_config.FILE in written:
        steps.append(
            "pre-commit install --hook-type pre-commit --hook-type pre-push"
            if shutil.which("pre-commit")
            else f"{me} hooks install   (pre-commit is not installed here; with it: "
            "`pre-commit install --hook-type pre-commit --hook-type pre-push`)"
        )
    if facts.adopt is not None:
        steps.append(
            f"`{me} champion set {facts.adopt}`: {facts.model} v{facts.adopt} serves from "
            f"stage {facts.champion_stage} without the alias, so the first retrain competes "
            "with it"
        )
    if facts.metrics_file is None:
        steps.append(
            f"record the model in production as the baseline: `{me} baseline set "
            "RUN_ID` (its MLflow run)"
        )
    else:
        steps.append(
            f"record the model in production as the baseline: `{me} baseline set "
            f"--from-metrics` (or `{me} baseline set RUN_ID` when MLflow has it)"
        )
    steps.append(
        f"`{me} check` for a first decision, then commit the new files: git add "
        + " ".join(sorted(written))
    )
    return steps
