"""Engines that compute drift profiles: ``duckdb`` (one machine, out of core over Parquet)."""
