"""``retrigger drift s3://… s3://… --engine duckdb``: hive-partitioned Parquet on an
S3-compatible server on loopback (moto's server mode), through DuckDB's httpfs, with the
credentials taken from the environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3  # type: ignore[import-untyped]
import pytest

from tests.drift.conftest import run_drift, run_drift_json
from tests.support.s3 import moto_server, parquet_day, point_aws_at

pytestmark = pytest.mark.slow  # a server


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A bucket holding ``ref/`` (two days) and ``cur/`` (the same two and a shifted third)."""
    point_aws_at(s3_server, monkeypatch)
    monkeypatch.chdir(tmp_path)  # the profile cache lands in ./.retrigger/profiles
    name = f"events-{tmp_path.name.lower().replace('_', '-')[:40]}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    for prefix, days in (("ref", [(1, 0.0), (2, 0.0)]), ("cur", [(1, 0.0), (2, 0.0), (3, 2.5)])):
        for day, shift in days:
            client.put_object(
                Bucket=name,
                Key=f"{prefix}/date=2024-03-0{day}/part-0.parquet",
                Body=parquet_day(day, shift, 4000 if day == 3 else 2000),
            )
    return name


def test_drift_between_two_s3_prefixes_names_the_partitions(bucket: str) -> None:
    report = run_drift_json(f"s3://{bucket}/ref/", f"s3://{bucket}/cur/", "--engine", "duckdb")

    assert report["reference_rows"] == 4000 and report["current_rows"] == 8000
    assert report["columns"]["x"]["drift"] is True
    assert report["partitions"]["current"] == [
        "date=2024-03-01",
        "date=2024-03-02",
        "date=2024-03-03",
    ]
    assert report["partitions"]["engine"] == "duckdb"
    assert list(Path(".retrigger/profiles").rglob("*.json"))  # profiles cached locally


def test_an_object_store_that_does_not_answer_is_one_line_and_exit_2(
    bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there

    result = run_drift(f"s3://{bucket}/ref/", f"s3://{bucket}/cur/", "--engine", "duckdb")

    assert result.code == 2
    assert f"s3://{bucket}/ref/ cannot be listed" in result.err
    assert "Traceback" not in result.err
    assert not Path(".retrigger/profiles").exists()  # nothing partial cached


def test_a_prefix_with_no_partition_is_named(bucket: str) -> None:
    result = run_drift(f"s3://{bucket}/nothing/", f"s3://{bucket}/cur/", "--engine", "duckdb")

    assert result.code == 2
    assert f"s3://{bucket}/nothing/ holds no Parquet partition" in result.err


def test_gs_prefixes_are_read_through_googles_s3_interoperable_api(
    bucket: str, s3_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # HMAC keys in the GCS_* variables; the server is moto's (it speaks the same XML API).
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("GCS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("GCS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("GCS_ENDPOINT_URL", s3_server)

    report = run_drift_json(f"gs://{bucket}/ref/", f"gs://{bucket}/cur/", "--engine", "duckdb")

    assert report["reference_rows"] == 4000 and report["current_rows"] == 8000
    assert report["columns"]["x"]["drift"] is True
    assert report["partitions"]["current"][-1] == "date=2024-03-03"


def test_az_without_duckdbs_azure_extension_names_the_wheel_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The dev install has no duckdb-extension-azure, and DuckDB has not installed it.
    import duckdb

    monkeypatch.chdir(tmp_path)

    result = run_drift("az://events/ref/", "az://events/cur/", "--engine", "duckdb")

    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "retrigger: error: reading az:// needs DuckDB's azure extension, which is not "
        f"installed: pip install duckdb-extension-azure=={duckdb.__version__} (from PyPI), "
        "or INSTALL azure in DuckDB"
    ]


def test_az_row_counts_without_the_azure_extension_name_the_wheel_too() -> None:
    # The rows of az:// partitions (the volume delta) are read from their footers alone.
    import duckdb

    from retrigger.drift.remote import footer_rows
    from retrigger.errors import BadInput

    with pytest.raises(BadInput) as raised:
        footer_rows(["az://events/cur/part-0.parquet"])

    assert str(raised.value) == (
        "reading az:// needs DuckDB's azure extension, which is not installed: "
        f"pip install duckdb-extension-azure=={duckdb.__version__} (from PyPI), "
        "or INSTALL azure in DuckDB"
    )
