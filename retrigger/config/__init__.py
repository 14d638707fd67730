"""Configuration: ``retrigger.yaml`` plus ``RETRIGGER_<SECTION>__<KEY>`` overrides."""

from retrigger.config.loader import CONFIG_FILENAME, LoadedConfig, find_config, load_config
from retrigger.config.models import RetriggerConfig

__all__ = ["CONFIG_FILENAME", "LoadedConfig", "RetriggerConfig", "find_config", "load_config"]
