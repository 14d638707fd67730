"""The sections of ``retrigger.yaml``, one module per group; ``retrigger.config.models``
re-exports them all and holds the whole file's model, ``RetriggerConfig``."""
