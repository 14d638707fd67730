"""``pipeline.dispatch: github``: a firing decision is retrained in CI, not on the machine
that decided — a ``repository_dispatch`` of type ``retrigger-retrain`` whose
``client_payload.decision_id`` the generated workflow's retrain job runs (``retrigger run
--decision ID``, which records the outcome as always)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from retrigger.config.models import GithubExecutorConfig

EVENT_TYPE = "retrigger-retrain"


def repository_dispatch(
    settings: GithubExecutorConfig, token: str | None, decision_id: str, timeout_s: float = 10.0
) -> str | None:
    """Send it; None when GitHub accepted it, else the one-line reason (never the token)."""
    if not token:
        return "GITHUB_TOKEN is not set: the retrain was not dispatched"
    url = f"{settings.api_url.rstrip('/')}/repos/{settings.repo}/dispatches"
    body = json.dumps({"event_type": EVENT_TYPE, "client_payload": {"decision_id": decision_id}})
    headers = {
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
    }
    # api_url is http(s) (validated by the config): https://api.github.com, or a loopback fake.
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        return f"GitHub did not answer ({type(exc).__name__}); the retrain was not dispatched"
    if status in (200, 204):
        return None
    return (
        f"GitHub refused the repository_dispatch (HTTP {status}); check pipeline.github.repo "
        "and the token's contents:write permission"
    )
