"""Retrain fixtures (tests/support/retrain.py) for the `run`, `history` and `explain` tests."""

from tests.support.retrain import degraded_template, retrainable  # noqa: F401
