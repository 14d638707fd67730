"""Retrain fixtures (tests/support/retrain.py)."""

from tests.support.retrain import degraded_template, retrainable, store_url  # noqa: F401
