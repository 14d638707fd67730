"""Who runs an approved retrain (``slack.executor``).

* ``local``: ``retrigger run --decision ID --json`` as an argv list (never a shell) in
  ``slack.workdir``, its progress reported in the decision's thread;
* ``github``: a ``workflow_dispatch`` of ``slack.github.workflow`` through the REST API
  (``slack.github.api_url``), token from ``$GITHUB_TOKEN``;
* ``none``: nothing here; a CI job runs ``retrigger run --approved``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from retrigger import proc
from retrigger.config.models import GithubExecutorConfig
from retrigger.store.approvals import Approval

Report = Callable[[str], None]
RUN_TIMEOUT_S = 6 * 3600.0


class Executor(Protocol):
    name: str

    def execute(self, approval: Approval, report: Report) -> None:
        """Run (or hand on) the retrain of ``approval``; report progress in one-liners."""


class LocalExecutor:
    name = "local"

    def __init__(
        self,
        workdir: Path,
        config_path: Path,
        command: tuple[str, ...] = (sys.executable, "-m", "retrigger"),
    ) -> None:
        self.workdir = workdir
        self.config_path = config_path
        self.command = command

    def argv(self, approval: Approval) -> list[str]:
        return [
            *self.command,
            "run",
            "--decision",
            approval.decision_id,
            "--json",
            "--config",
            str(self.config_path),
        ]

    def execute(self, approval: Approval, report: Report) -> None:
        report(f"started `retrigger run --decision {approval.decision_id}` in {self.workdir}")
        try:
            result = proc.run(self.argv(approval), self.workdir, check=False, timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            report(f"`retrigger run` did not finish within {RUN_TIMEOUT_S / 3600:g} h")
            return
        report(_outcome(result.returncode, result.stdout, result.stderr))


def _outcome(code: int, stdout: str, stderr: str) -> str:
    status = None
    try:
        document = json.loads(stdout) if stdout.strip() else None
        if isinstance(document, dict):
            status = document.get("status")
    except json.JSONDecodeError:
        pass
    tail = (stderr.strip().splitlines() or [""])[-1][:300]
    text = f"`retrigger run` exited {code}" + (f", status {status}" if status else "")
    return text + (f": {tail}" if code != 0 and tail else "")


class GithubExecutor:
    name = "github"

    def __init__(
        self, settings: GithubExecutorConfig, token: str | None, timeout_s: float = 15.0
    ) -> None:
        self.settings = settings
        self._token = token
        self.timeout_s = timeout_s

    def url(self) -> str:
        s = self.settings
        return f"{s.api_url.rstrip('/')}/repos/{s.repo}/actions/workflows/{s.workflow}/dispatches"

    def execute(self, approval: Approval, report: Report) -> None:
        if not self._token:
            report("cannot dispatch the workflow: GITHUB_TOKEN is not set in the bot's environment")
            return
        body = json.dumps(
            {"ref": self.settings.ref, "inputs": {"decision_id": approval.decision_id}}
        ).encode()
        # The URL's scheme is http(s): slack.github.api_url is validated by the config.
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "Authorization": f"Bearer {self._token}",
            "Content-Type": "application/json",
        }
        # The URL is https://api.github.com/... or the configured api_url (tests: loopback).
        request = urllib.request.Request(self.url(), data=body, method="POST", headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError) as exc:
            report(f"GitHub did not answer ({type(exc).__name__}); approve again later")
            return
        if status in (200, 204):
            report(
                f"dispatched workflow {self.settings.workflow} on {self.settings.repo}@"
                f"{self.settings.ref} for decision {approval.decision_id}"
            )
        else:
            report(
                f"GitHub refused the workflow_dispatch (HTTP {status}); check slack.github "
                "and the token's actions:write permission"
            )


class NoExecutor:
    name = "none"

    def execute(self, approval: Approval, report: Report) -> None:
        report(f"approved; a CI job runs `retrigger run --approved` for {approval.decision_id}")
