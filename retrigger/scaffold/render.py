"""Filling the templates ``init`` writes with what it learnt about the project."""

from __future__ import annotations

import json
import re
from importlib import resources

from retrigger.scaffold.facts import Choice, ProjectFacts
from retrigger.scaffold.metrics import floor

_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./:@+-]*")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "~"}


def render(template: str, facts: ProjectFacts) -> str:
    text = resources.files("retrigger.templates").joinpath(template).read_text(encoding="utf-8")
    for key, value in values(facts).items():
        text = text.replace(f"@@{key}@@", value)
    return text


def values(facts: ProjectFacts) -> dict[str, str]:
    data = "\n".join(f"  - {scalar(path)}" for path in facts.data) or (
        f"  []   # DVC tracks none: stage {facts.data_stage[0]} fetches "
        f"{facts.data_stage[1]}; list that output here"
        if facts.data_stage
        else "  []   # none found: list the files or folders you track with `dvc add`"
    )
    return {
        "MODEL": facts.model,
        "MODEL_ID": facts.model_id,
        "METRIC": scalar(facts.metric),
        "METRICS_FILE": scalar(facts.metrics_file),
        "GREATER": "false" if facts.greater_is_better is False else "true",
        "ARTIFACT": scalar(facts.artifact),
        "TRACKING_URI": scalar(facts.tracking_uri),
        "EXPERIMENT": scalar(facts.experiment),
        "DATA": data,
        "INSTALL": facts.install,
        "REQUIREMENT": facts.requirement,
        "CHANNEL": "#ml-ops",
        "FOUND": _notes(facts),
        "PERF_MIN": _source(facts) + _performance_min(facts),
        "MAX_DROP": _max_drop(facts),
        "ALIAS": scalar(facts.champion_alias),
        "STAGE": (
            f"  champion_stage: {scalar(facts.champion_stage)}   # the legacy stage a served "
            "app reads: promotion moves it too"
            if facts.champion_stage
            else "  # champion_stage: Production  # also move this legacy registry stage "
            "on promotion"
        ),
        "FLAVOR": (
            "  flavor: sklearn             # a pickled scikit-learn model, logged as an MLflow one"
            if facts.flavor == "sklearn"
            else "  # flavor: sklearn           # for a pickle/joblib scikit-learn model"
        ),
        "METRIC_WORD": facts.metric if isinstance(facts.metric, str) else "the metric",
        "VALIDATION": _validation(facts),
        "ESTIMATION": _estimation(facts),
    }


def _source(facts: ProjectFacts) -> str:
    if facts.estimation is None:
        return ""
    return "    # source: estimated          # no labels after training: see estimation: below\n"


_METHODS = {
    "cbpe": (
        "CBPE adds up the champion's predict_proba",
        "accuracy, precision, recall, f1, f1_macro, roc_auc",
    ),
    "dle": (
        "DLE: a second model learns where the champion errs",
        "mae, mse, rmse; greater_is_better: false",
    ),
}
_PLACEHOLDERS = ("data/new.csv", "data/reference.csv", "label")


def _estimation(facts: ProjectFacts) -> str:
    """The ``estimation:`` section, commented out: init cannot know the new rows' file."""
    found = facts.estimation
    if found is None:
        return ""
    how, which = _METHODS[found.method]
    metric = (
        f"one of {which}"
        if found.metric == facts.metric
        # max_drop holds the estimate against the baseline run's model.metric: another name
        # is refused by the config
        else f"model.metric {facts.metric} is another name: use min, not max_drop"
    )
    lines = [
        "",
        "",
        "# Performance without labels: no labelled rows arrive after training here",
        f"# ({found.why}).",
        f"# The metric can be estimated on new, unlabelled rows instead: {how}",
        f"# ({which}). To use it, uncomment `source: estimated` under signals.performance",
        "# and this section (docs/label-free.md):",
        "# estimation:",
        _entry("data", found.data, "new, unlabelled rows (CSV or Parquet)"),
        _entry("reference", found.reference, "labelled rows the model did not train on"),
        _entry("target", "label", "the reference's label column"),
        _entry("metric", found.metric, metric),
    ]
    return "\n".join(lines)


def _entry(key: str, value: str, why: str) -> str:
    mark = "placeholder: " if value in _PLACEHOLDERS else ""
    return f"{f'#   {key}: {scalar(value)}':<32}# {mark}{why}"


def _validation(facts: ProjectFacts) -> str:
    """``validation: {stage: NAME}`` when dvc.yaml has a stage that evaluates the model."""
    if facts.validation_stage is None:
        return (
            "# validation:\n"
            "#   stage: evaluate           # a dvc.yaml stage that reads model.artifact and "
            "writes model.metric\n"
            "#   # or labelled rows retrigger scores itself: {data: data/test.csv, target: label}"
        )
    return f"validation:\n  stage: {scalar(facts.validation_stage)}"


def scalar(value: Choice) -> str:
    """A YAML value: a plain word, a quoted string, a list of candidates, or null."""
    if value is None:
        return "null"
    if isinstance(value, tuple):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS and not _is_number(value):
        return value
    return json.dumps(value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _notes(facts: ProjectFacts) -> str:
    lines = ["# What `retrigger init` read from this project:"]
    lines += [f"#   - {note}" for note in facts.found]
    if facts.undecided:
        lines.append(
            "# To choose before `retrigger check` works (`retrigger config validate` "
            "fails until then):"
        )
        lines += [f"#   - {note}" for note in facts.undecided]
    return "\n".join(lines)


def _performance_min(facts: ProjectFacts) -> str:
    if facts.current is not None and facts.current > 0:
        up = facts.greater_is_better is not False
        bar = floor(facts.current, up)
        side = "below" if up else "above"
        return (
            f"    min: {bar:g}   # 5% {side} the current {facts.metric} "
            f"({facts.current:.4g} in {facts.current_from}), rounded"
            f"{'' if up else ': a ceiling'}"
        )
    # No number to start from: a fixed floor would fire on the first check of many projects.
    if facts.greater_is_better is False:
        return (
            "    # min: 0.5                # a ceiling when smaller is better: the largest "
            "value you accept"
        )
    return "    # min: 0.8                # the floor: no current value was found to set it from"


def _max_drop(facts: ProjectFacts) -> str:
    if facts.current is None or facts.current <= 0:
        return "    max_drop: 0.05"
    up = facts.greater_is_better is not False
    at = facts.current * (0.95 if up else 1.05)
    side = "below" if up else "above"
    return (
        f"    max_drop: 0.05             # 5% worse than the baseline run: from today's "
        f"{facts.current:.4g}, {side} {at:.4g}"
    )
