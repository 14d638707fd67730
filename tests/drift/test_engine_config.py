"""``data:`` mapping entries and ``signals.drift.engine`` in retrigger.yaml, and the engine
choice they make."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrigger.config import load_config
from retrigger.config.models import DriftSignalConfig
from retrigger.drift.profiled import choose
from retrigger.errors import BadInput, ConfigError

CONFIG = """\
model: {name: churn}
data:
  - data/train.csv
  - {path: data/events, format: parquet, partitioning: hive}
signals:
  drift: {engine: duckdb, memory_limit: 1GB, spark: {master: "local[2]"}}
"""


def _load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "retrigger.yaml"
    path.write_text(text)
    return load_config(path, environ={}).config


def test_a_partitioned_entry_is_a_data_path_with_its_layout(tmp_path: Path) -> None:
    config = _load(tmp_path, CONFIG)

    assert config.data == ["data/train.csv", "data/events"]
    assert set(config.partitioned) == {"data/events"}
    assert config.partitioned["data/events"].partitioning == "hive"
    assert config.signals.drift is not None and config.signals.drift.engine == "duckdb"


@pytest.mark.parametrize(
    ("entry", "named"),
    [
        (
            "{path: 'ftp://host/events/', format: parquet}",
            "read from s3://, gs:// and az:// prefixes",
        ),
        ("{path: data/events, format: csv}", "format"),
        ("{path: ../outside, format: parquet}", "inside the repository"),
    ],
)
def test_bad_partitioned_entries_are_refused_by_name(
    tmp_path: Path, entry: str, named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        _load(tmp_path, f"model: {{name: churn}}\ndata:\n  - {entry}\n")


def test_an_s3_prefix_is_for_the_signals_only_not_a_dvc_path(tmp_path: Path) -> None:
    text = (
        "model: {name: m}\ndata:\n  - {path: 's3://bucket/events/', format: parquet}\n"
        "signals: {drift: {share: 0.3}, volume: {min_new_rows: 10}}\n"
    )
    config = _load(tmp_path, text)

    assert config.data == []  # nothing DVC would be asked about
    assert config.partitioned["s3://bucket/events/"].remote


def test_a_spark_remote_must_be_a_connect_url(tmp_path: Path) -> None:
    text = "model: {name: m}\ndata: [d]\nsignals:\n  drift: {spark: {remote: 'http://x'}}\n"
    with pytest.raises(ConfigError, match="sc://HOST:PORT"):
        _load(tmp_path, text)


def test_auto_is_exact_below_the_size_and_for_other_formats_duckdb_above() -> None:
    settings = DriftSignalConfig(exact_up_to_bytes=1000)

    assert choose(settings, None, 999, parquet=True, remote=False) == "memory"
    assert choose(settings, None, 1001, parquet=True, remote=False) == "duckdb"
    assert choose(settings, None, 10**9, parquet=False, remote=False) == "memory"
    assert choose(settings, "spark", 1, parquet=True, remote=False) == "spark"
    exact = DriftSignalConfig(engine="duckdb", exact=True)
    assert choose(exact, None, 10**9, parquet=True, remote=False) == "memory"
    with pytest.raises(BadInput, match="--engine 'fast'"):
        choose(settings, "fast", 1, parquet=True, remote=False)
