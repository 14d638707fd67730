"""What ``backtest --train`` keeps under ``.retrigger/backtest/``, to be reused by the next run.

    trained/<key>/trained.json   one trained model: the commit and data version it was first
                                 trained at, the measured seconds, the inputs it is keyed by
    trained/<key>/outs/<path>    the model file (and the rows scoring reads) as the stages
                                 wrote them
    trained/<key>/pyfunc/        the model as an MLflow model, made once for scoring
    scores.json                  each score already computed: (model key, rows md5, metric)
    matrix.json                  the last matrix, cell by cell with where it came from

Files are plain JSON, written whole through a temporary file (a run interrupted half-way
leaves the last complete version).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

FOLDER = Path(".retrigger") / "backtest"


@dataclass(frozen=True)
class Trained:
    key: str
    commit: str  # where it was first trained
    data_version: str | None
    seconds: float  # wall-clock `dvc repro` of the training stages, measured then
    trained_at: str  # ISO time
    inputs: dict[str, Any]

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Trained:
        version = doc.get("data_version")
        return cls(
            str(doc["key"]),
            str(doc["commit"]),
            None if version is None else str(version),
            float(doc["seconds"]),
            str(doc.get("trained_at") or ""),
            dict(doc.get("inputs") or {}),
        )


class MatrixStore:
    def __init__(self, root: Path) -> None:
        self.base = root / FOLDER
        self._scores: dict[str, float] | None = None

    def folder(self, key: str) -> Path:
        return self.base / "trained" / key

    def outs(self, key: str) -> Path:
        return self.folder(key) / "outs"

    def pyfunc(self, key: str) -> Path:
        return self.folder(key) / "pyfunc"

    def trained(self, key: str) -> Trained | None:
        doc = _read(self.folder(key) / "trained.json")
        if not isinstance(doc, dict) or not self.outs(key).is_dir():
            return None
        try:
            return Trained.from_json(doc)
        except (KeyError, TypeError, ValueError):
            return None  # a damaged record: trained again

    def keep(self, trained: Trained, tree: Path, paths: list[str]) -> None:
        """The outputs the stages wrote at ``tree``, then the record (last: a model without
        its record is trained again)."""
        outs = self.outs(trained.key)
        if outs.exists():
            shutil.rmtree(outs)
        outs.mkdir(parents=True)
        for path in paths:
            source = tree / path
            if source.is_dir():
                shutil.copytree(source, outs / path, symlinks=True)
            elif source.is_file():
                (outs / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, outs / path)
        _write(self.folder(trained.key) / "trained.json", asdict(trained))

    def restore(self, key: str, tree: Path) -> None:
        """Put a kept model's outputs back where the stages would have written them."""
        outs = self.outs(key)
        for source in outs.rglob("*"):
            if source.is_file():
                target = tree / source.relative_to(outs)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)

    def score(self, model: str, rows: str, metric: str) -> float | None:
        return self._all_scores().get(f"{model} {rows} {metric}")

    def add_score(self, model: str, rows: str, metric: str, value: float) -> None:
        scores = self._all_scores()
        scores[f"{model} {rows} {metric}"] = value
        _write(self.base / "scores.json", scores)

    def write_matrix(self, document: dict[str, object]) -> Path:
        path = self.base / "matrix.json"
        _write(path, document)
        return path

    def _all_scores(self) -> dict[str, float]:
        if self._scores is None:
            doc = _read(self.base / "scores.json")
            self._scores = {
                str(k): float(v)
                for k, v in (doc.items() if isinstance(doc, dict) else [])
                if isinstance(v, int | float)
            }
        return self._scores


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(path)
