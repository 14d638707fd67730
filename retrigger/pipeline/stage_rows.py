"""The leakage check for ``validation: {stage: NAME}``: which rows the evaluate stage scores on,
and how many of them the champion was trained on (``retrigger.pipeline.leakage``).

The validation rows are the stage's data dependencies other than the model that retrigger
can read as rows (CSV, TSV, Parquet, folders of them). A folder holding a file named after the
split the metric key names (``roc_auc.test`` → ``test.csv``) stands for that file: the stage
reads ``data/prepared`` but scores ``data/prepared/test.csv``. Data it cannot read as rows (a
pickle of features) makes the overlap ``unknown``, said so, not refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from retrigger.data.formats import KNOWN_NAMES, format_of
from retrigger.evaluation.overlap import Overlap
from retrigger.evaluation.stage import split_word
from retrigger.pipeline import leakage

if TYPE_CHECKING:
    from retrigger.evaluation.stage import EvalStage
    from retrigger.pipeline.registry import Champion
    from retrigger.workspace import Workspace

AGAINST = "the champion's training data"


def check(ws: Workspace, champ: Champion | None, stage: EvalStage, key: str) -> Overlap:
    """How many of the rows ``stage`` scores on the champion trained on (summed over files)."""
    readable, other = rows_of(ws.root, stage, key)
    if not readable:
        what = ", ".join(other) or "no data git does not track"
        return Overlap(
            0,
            0,
            AGAINST,
            unknown=f"stage {stage.name} reads {what}: no rows retrigger can read ({KNOWN_NAMES})",
        )
    found = [leakage.check(ws, champ, path) for path in readable]
    measured = [o for o in found if o.unknown is None]
    if not measured:
        return found[0]
    sampled = [o.sampled for o in measured if o.sampled is not None]
    return Overlap(
        sum(o.rows for o in measured),
        sum(o.of for o in measured),
        measured[0].against,
        measured[0].columns,
        sum(sampled) if sampled else None,
    )


def rows_of(root: Path, stage: EvalStage, key: str) -> tuple[list[str], list[str]]:
    """The stage's deps readable as rows (a folder narrowed to the split's file), and its
    other data deps (what git does not track)."""
    word = (split_word(key) or "").lower()
    readable: list[str] = []
    for dep in stage.deps:
        path = root / dep
        if path.is_dir():
            files = sorted(f for f in path.rglob("*") if f.is_file() and format_of(f.name).known)
            named = [f for f in files if word and f.name.split(".")[0].lower() == word]
            if named:
                readable += [f.relative_to(root).as_posix() for f in named]
            elif files:
                readable.append(dep)
        elif format_of(dep).known:
            readable.append(dep)
    other = [
        d
        for d in stage.data
        if d not in readable and not any(r.startswith(f"{d}/") for r in readable)
    ]
    return readable, other
