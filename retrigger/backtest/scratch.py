"""A throwaway checkout of the project's history, where ``backtest --train`` trains.

``git clone --shared`` into a temporary folder: the clone reads the project's objects through
git's alternates and writes nothing into its ``.git``; the user's work tree is never touched.
Data comes from the project's DVC cache by copy (fetched from its remote first when missing,
as the replay itself does), so the project's cache is only read. ``dvc repro --no-commit
--no-run-cache`` runs the stages: nothing is written into any DVC cache, no run-cache entry is
read or left, and the project's ``dvc.lock`` is not the one it updates. The stages' own MLflow
logging goes to a file store inside the temporary folder, never to ``tracking.uri``. The
folder is removed at the end, whatever happened.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from retrigger.backtest.inputs import fetch_missing
from retrigger.data.cache import missing, read_manifest
from retrigger.data.odb import cache_path
from retrigger.errors import WorkFailed
from retrigger.proc import run


class Scratch:
    """One clone, checked out at one commit at a time."""

    def __init__(self, root: Path, folder: Path) -> None:
        self.root = root  # the user's project: only read
        self.folder = folder
        self.tree = folder / "tree"

    @classmethod
    @contextmanager
    def opened(cls, root: Path) -> Iterator[Scratch]:
        with tempfile.TemporaryDirectory(prefix="retrigger-train-") as folder:
            scratch = cls(root, Path(folder))
            _git(root, "clone", "-q", "--shared", "--no-checkout", str(root), str(scratch.tree))
            yield scratch

    def checkout(self, sha: str) -> None:
        """The tree of ``sha`` alone: what an earlier period produced is removed."""
        _git(self.tree, "checkout", "-q", "--force", "--detach", sha)
        _git(self.tree, "clean", "-q", "-ffdx")

    def place(self, items: Sequence[tuple[str, str]]) -> str | None:
        """Copy DVC-tracked data (path, md5) from the project's cache into the tree; why not,
        when a version is in no cache or remote."""
        failed = fetch_missing(self.root, items)
        if failed:
            return failed
        for path, md5 in items:
            if missing(self.root, md5):
                return f"{path}@{md5[:8]} is in no DVC cache or remote"
            target = self.tree / path
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            elif target.exists() or target.is_symlink():
                target.unlink()
            if not md5.endswith(".dir"):
                _copy(cache_path(self.root, md5), target)
                continue
            for relpath, part in (read_manifest(self.root, md5) or {}).items():
                _copy(cache_path(self.root, part), target / relpath)
        return None

    def repro(self, targets: Sequence[str], env: Mapping[str, str], timeout: float | None) -> float:
        """``dvc repro`` of ``targets`` (and what they need); its wall-clock seconds. WorkFailed
        with DVC's last line when it fails."""
        args = ["dvc", "repro", "--no-commit", "--no-run-cache", *targets]
        started = time.monotonic()
        try:
            done = run(args, self.tree, check=False, timeout=timeout, env=self.env(env))
        except subprocess.TimeoutExpired:
            raise WorkFailed(f"`{' '.join(args)}` ran longer than pipeline.stage_timeout") from None
        seconds = time.monotonic() - started
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-2:] or ["no output"]
            raise WorkFailed(f"`{' '.join(args)}` exited {done.returncode}: {' | '.join(tail)}")
        return seconds

    def env(self, interpreter: Mapping[str, str]) -> dict[str, str]:
        """The project's interpreter, MLflow pointed away from the user's store, and DVC's
        per-repository site cache (/var/tmp/dvc/repo/<hash of the path>) in the folder that
        goes away: each clone is a new path."""
        return {
            **interpreter,
            "DVC_SITE_CACHE_DIR": str(self.folder / "dvc-site-cache"),
            "MLFLOW_TRACKING_URI": (self.folder / "mlruns").as_uri(),
            "MLFLOW_RUN_ID": "",
            "MLFLOW_EXPERIMENT_ID": "",
            "MLFLOW_EXPERIMENT_NAME": "",
        }


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)  # a copy, never a link: the cache stays untouched


def _git(cwd: Path, *args: str) -> None:
    done = run(["git", *args], cwd, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise WorkFailed(f"`git {' '.join(args[:2])}` in a scratch clone failed: {last}")
