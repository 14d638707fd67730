"""retrigger: decide when an ML model must be retrained, retrain it, and keep the audit trail."""

__version__ = "0.1.0"
