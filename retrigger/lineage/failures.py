"""An MLflow server that died under a command, said in one line.

MLflow's client errors carry the whole request URL with its URL-encoded query and urllib3's
retry story ("HTTPConnectionPool(host=…): Max retries exceeded with url: /api/2.0/…?run_id=…
(Caused by NewConnectionError(…))"): a user, and a Slack channel, need the server and how it
failed, nothing more.
"""

from __future__ import annotations

import re

_HTTP_STATUS = re.compile(r"\b([45]\d\d) (?:Server|Client) Error|status code[: ]+([45]\d\d)")


def tracking_failure(exc: BaseException, uri: str) -> str | None:
    """``MLflow tracking server URI <how it failed>``, or None when EXC is not about it."""
    if not uri.startswith(("http://", "https://")):
        return None
    text = str(exc)
    host = uri.split("://", 1)[1].split("/", 1)[0]
    if host not in text and "Max retries exceeded" not in text:
        return None
    lowered = text.lower()
    if "refused" in lowered:
        how = "refused the connection (is it running?)"
    elif "reset by peer" in lowered or "aborted" in lowered:
        how = "dropped the connection (did it stop?)"
    elif "timed out" in lowered or "timeout" in lowered:
        how = "did not answer in time"
    elif found := _HTTP_STATUS.search(text):
        how = f"answered HTTP {found.group(1) or found.group(2)}"
    else:
        how = "stopped answering"
    return f"MLflow tracking server {uri} {how}"
