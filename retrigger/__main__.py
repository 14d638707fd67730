"""``python -m retrigger`` runs the CLI."""

from retrigger.cli.main import entrypoint

entrypoint()
