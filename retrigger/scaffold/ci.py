"""What a CI runner needs that this machine has: where retrigger itself comes from, and an MLflow
it can reach.

The generated workflows install retrigger apart from the project (``uv tool install
"$RETRAIN_REQUIREMENT"``). Its default is how *this* retrigger was installed, read from the
installed distribution (PEP 610 ``direct_url.json``): a version from an index, a git URL at a
commit, a wheel's URL. A local path (an editable checkout, a wheel on this disk) is no use to a
runner: ``init`` says what to set instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from retrigger.proc import run


@dataclass(frozen=True)
class Requirement:
    spec: str  # what `uv tool install` installs retrigger from
    reachable: bool  # a CI runner can fetch it
    how: str  # how this retrigger was installed, in words


def own_requirement(dist: metadata.Distribution | None = None) -> Requirement:
    """How the running retrigger was installed, as a requirement a runner may install."""
    if dist is None:
        # A source checkout on sys.path shows its retrigger.egg-info too: the installed
        # distribution is the one that says where it came from.
        found = list(metadata.distributions(name="retrigger"))
        if not found:
            return Requirement("retrigger", False, "retrigger is not installed as a package")
        dist = next((d for d in found if d.read_text("direct_url.json")), found[0])
    version = dist.version
    text = dist.read_text("direct_url.json")
    if not text:
        return Requirement(f"retrigger=={version}", True, f"retrigger {version} from an index")
    try:
        direct = json.loads(text)
    except ValueError:
        direct = {}
    url = str(direct.get("url", ""))
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict):
        at = vcs.get("commit_id") or vcs.get("requested_revision")
        spec = f"{vcs.get('vcs', 'git')}+{url}" + (f"@{at}" if at else "")
        return Requirement(spec, not url.startswith("file:"), f"from {spec}")
    if "archive_info" in direct and not url.startswith("file:"):
        return Requirement(url, True, f"from {url}")
    return _local(url, version, editable=bool((direct.get("dir_info") or {}).get("editable")))


def _local(url: str, version: str, editable: bool) -> Requirement:
    """Installed from this disk: the git remote of that checkout, when there is one, at the
    commit checked out here is the suggestion (unreachable until that commit is pushed)."""
    folder = Path(urlsplit(url).path)
    folder = folder if folder.is_dir() else folder.parent
    how = f"from {folder}" + (" (editable)" if editable else "")
    remote = run(["git", "remote", "get-url", "origin"], folder, check=False).stdout.strip()
    commit = run(["git", "rev-parse", "HEAD"], folder, check=False).stdout.strip()
    if remote.startswith("git@") and ":" in remote:  # scp-like: what pip needs is a URL
        remote = "ssh://" + remote.replace(":", "/", 1)
    if remote.startswith(("https://", "ssh://")) and commit:
        return Requirement(f"git+{remote}@{commit}", False, how)
    return Requirement(f"retrigger=={version}", False, how)


def requirement_note(found: Requirement) -> str | None:
    """One line when a runner cannot install ``found``: what to set instead."""
    if found.reachable:
        return None
    return (
        f"retrigger was installed {found.how}, which a CI runner cannot reach: set the secret "
        f"RETRAIN_REQUIREMENT to where it can get retrigger (e.g. {found.spec}, a wheel's "
        "https URL, or git+https://…@TAG); the workflow installs it with `uv tool install`"
    )


# Addresses that name the machine itself: a runner reaches its own, not yours.
_LOCAL_HOSTS = ("localhost", "127.", "0.0.0.0", "::1")  # noqa: S104 - compared, never bound


def tracking_ci_warning(uri: str) -> str | None:
    """Why ``tracking.uri`` cannot work on a CI runner (and what to set), or None."""
    scheme = uri.split(":", 1)[0].lower() if ":" in uri else ""
    if scheme in ("sqlite", "file", "") or uri.startswith(("./", "/", "mlruns")):
        return (
            f"tracking.uri {uri} is a store on this disk: on a CI runner it is a fresh, empty "
            "one (no baseline, no champion); set the secret MLFLOW_TRACKING_URI to your MLflow "
            "server (the workflow exports it as RETRIGGER_TRACKING__URI)"
        )
    host = urlsplit(uri).hostname or ""
    if scheme in ("http", "https") and host.startswith(_LOCAL_HOSTS):
        return (
            f"tracking.uri {uri} is this machine: a CI runner cannot reach it; set the secret "
            "MLFLOW_TRACKING_URI to an address the runner can reach"
        )
    return None
