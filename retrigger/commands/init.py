"""``retrigger init``: write the files that make a git + DVC project retrain on signals.

Every target is planned before anything is written, so a refusal (an existing file without
``--force``) leaves the project exactly as it was.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from retrigger.errors import BadInput
from retrigger.githooks import precommit_config
from retrigger.scaffold.facts import ProjectFacts, inspect_project

__all__ = ["CI_CHOICES", "PlannedFile", "apply", "init", "plan"]

CI_CHOICES = ("github", "airflow", "k8s")
PLACEHOLDER_FLOOR = 0.85  # the performance floor the retrigger.yaml template sets

CREATE, OVERWRITE, UPDATE, KEEP = "created", "overwritten", "updated", "kept"


@dataclass(frozen=True)
class PlannedFile:
    path: str  # relative to the project root
    action: str  # created | overwritten | updated | kept
    why: str
    content: str | None = None  # None: nothing to write

    def as_json(self) -> dict[str, str]:
        return {"path": self.path, "action": self.action, "why": self.why}


def init(start: Path, ci: list[str], force: bool) -> tuple[ProjectFacts, list[PlannedFile]]:
    """Plan, refuse or write; return what was done."""
    chosen = _validated(ci)
    facts = inspect_project(start)
    planned = plan(facts, chosen, force)
    apply(facts.root, planned)
    return facts, planned


def _validated(ci: list[str]) -> list[str]:
    unknown = [c for c in ci if c not in CI_CHOICES]
    if unknown:
        raise BadInput(f"unknown --ci {unknown[0]!r}; valid choices: {', '.join(CI_CHOICES)}")
    return list(dict.fromkeys(ci or ["github"]))


def plan(facts: ProjectFacts, ci: list[str], force: bool) -> list[PlannedFile]:
    """Every file init would touch and how; BadInput naming all conflicts without --force."""
    wanted: list[tuple[str, str, str]] = [
        ("retrigger.yaml", _render("retrigger.yaml.tmpl", facts), "thresholds and policy"),
        ("slack-app-manifest.yml", _render("slack-app-manifest.yml", facts),
         "paste into api.slack.com/apps to create the bot"),
    ]
    if "github" in ci:
        wanted.append((".github/workflows/retrain.yml", _render("github-retrain.yml", facts),
                       "GitHub Actions: check on a schedule, retrain when it fires"))
    if "airflow" in ci:
        wanted.append((f"airflow/dags/retrain_{facts.model_id.replace('-', '_')}.py",
                       _render("airflow_dag.py.tmpl", facts),
                       "Airflow DAG: check → approval → retrain"))
    if "k8s" in ci:
        wanted.append(("k8s/retrigger-cronjob.yaml", _render("k8s-cronjob.yaml", facts),
                       "Kubernetes CronJob (state on PostgreSQL)"))
    planned = [_plan_one(facts.root, path, content, why, force) for path, content, why in wanted]
    planned.append(_plan_metrics(facts))
    planned.append(_plan_precommit(facts.root))
    conflicts = [p.path for p in planned if p.action == "conflict"]
    if conflicts:
        raise BadInput(f"{', '.join(conflicts)} already exist(s) in {facts.root}; nothing was "
                       "written. Move them aside, or rerun with --force to overwrite")
    return planned


def apply(root: Path, planned: list[PlannedFile]) -> None:
    for item in planned:
        if item.path == precommit_config.FILE and item.action != KEEP:
            precommit_config.install(root)
        elif item.content is not None:
            target = root / item.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(item.content, encoding="utf-8")


def _plan_one(root: Path, path: str, content: str, why: str, force: bool) -> PlannedFile:
    if not (root / path).exists():
        return PlannedFile(path, CREATE, why, content)
    if force:
        return PlannedFile(path, OVERWRITE, why, content)
    return PlannedFile(path, "conflict", why)


def _plan_metrics(facts: ProjectFacts) -> PlannedFile:
    path = facts.metrics_file
    if (facts.root / path).exists():
        return PlannedFile(path, KEEP, "your pipeline's metrics file")
    content = json.dumps({facts.metric: PLACEHOLDER_FLOOR}, indent=2) + "\n"
    return PlannedFile(path, CREATE, f"placeholder baseline ({facts.metric} "
                       f"{PLACEHOLDER_FLOOR}, the floor in retrigger.yaml) until the pipeline "
                       "writes the real one", content)


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


def _render(template: str, facts: ProjectFacts) -> str:
    text = resources.files("retrigger.templates").joinpath(template).read_text(encoding="utf-8")
    data = "\n".join(f"  - {path}" for path in facts.data) or (
        "  []   # none found: list the files or folders you track with `dvc add`")
    values = {
        "MODEL": facts.model, "MODEL_ID": facts.model_id, "METRIC": facts.metric,
        "METRICS_FILE": facts.metrics_file, "TRACKING_URI": "sqlite:///mlflow.db",
        "DATA": data, "INSTALL": facts.install, "CHANNEL": "#ml-ops",
    }
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    return text
