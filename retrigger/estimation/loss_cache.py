"""DLE's loss models, fitted once per (reference, champion version, metric) and kept on disk.

Fitting five gradient-boosted loss models is most of an estimate's time (a minute per check on
a loaded runner for 60k reference rows); they depend only on the reference file, the champion
and the metric, so every later check on new rows reuses them. The key holds the reference's
md5, the champion's registry version, the metric and the scikit-learn version (its pickles are
not read across versions). A file that cannot be read is refitted and rewritten.

The files live in ``.retrigger/estimation/``, written by retrigger itself: they are unpickled,
so that folder must not be writable by anyone the project does not trust (as for ``.retrigger/``
as a whole, which also holds the state store).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from retrigger.estimation.dle import LossModel

FOLDER = Path(".retrigger") / "estimation"
_FORMAT = 1  # bumped when LossModel changes shape
_KEEP = 8  # newest files kept: a few references and champions in use at once


@dataclass(frozen=True)
class LossKey:
    reference_md5: str
    model: str  # the champion: its registry URI and version
    metric: str

    def file_name(self) -> str:
        import sklearn

        parts = (str(_FORMAT), self.reference_md5, self.model, self.metric, sklearn.__version__)
        return f"loss-{hashlib.sha256(chr(0).join(parts).encode()).hexdigest()[:20]}.pkl"


def loss_model(root: Path, key: LossKey, fit: Callable[[], LossModel]) -> tuple[LossModel, bool]:
    """The loss models for ``key`` from the cache, or fitted and stored; and whether they came
    from the cache."""
    folder = root / FOLDER
    path = folder / key.file_name()
    found = _load(path)
    if found is not None and found.metric == key.metric:
        return found, True
    fitted = fit()
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(pickle.dumps(fitted, protocol=pickle.HIGHEST_PROTOCOL))
    partial.replace(path)  # atomic: a concurrent check reads the old file or the new one
    _prune(folder)
    return fitted, False


def _load(path: Path) -> LossModel | None:
    try:
        with path.open("rb") as handle:
            found = pickle.load(handle)  # noqa: S301 - written by retrigger into .retrigger/
    except Exception:  # absent, truncated, an older LossModel: refit
        return None
    if not isinstance(found, LossModel):
        return None
    os.utime(path)  # in use: the newest files are the ones kept
    return found


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("loss-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[_KEEP:]:
        old.unlink(missing_ok=True)
