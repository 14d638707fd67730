"""Object storage (``s3://``) for the DuckDB engine: credentials from the environment, the
httpfs extension, and a prefix's partitions fingerprinted by each object's size and time.

Credentials are the AWS variables (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN``, ``AWS_REGION``) and, for an S3-compatible server, ``AWS_ENDPOINT_URL``;
never the config file. DuckDB's httpfs extension is loaded as DuckDB finds it (installed, or
downloaded from extensions.duckdb.org), else from the ``duckdb-extension-httpfs`` wheel
(``pip install 'retrigger[s3]'``) for machines that cannot reach that site.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from retrigger.drift.partitions import Partition, remote_partition
from retrigger.errors import BadInput

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import duckdb

    from retrigger.config.models import DriftSignalConfig


@dataclass(frozen=True)
class S3Access:
    """What DuckDB needs to reach S3, read once from the environment."""

    key_id: str | None
    secret: str | None
    token: str | None
    region: str | None
    endpoint: str | None  # an S3-compatible server, e.g. http://127.0.0.1:9000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> S3Access:
        env = os.environ if environ is None else environ
        return cls(
            env.get("AWS_ACCESS_KEY_ID"),
            env.get("AWS_SECRET_ACCESS_KEY"),
            env.get("AWS_SESSION_TOKEN"),
            env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"),
            env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL"),
        )

    def secret_sql(self) -> str:
        options = ["TYPE s3"]
        for key, value in (
            ("KEY_ID", self.key_id),
            ("SECRET", self.secret),
            ("SESSION_TOKEN", self.token),
            ("REGION", self.region),
        ):
            if value:
                options.append(f"{key} {_quote(value)}")
        if self.endpoint:
            parsed = urlparse(self.endpoint)
            options.append(f"ENDPOINT {_quote(parsed.netloc or parsed.path)}")
            options.append("URL_STYLE 'path'")
            options.append(f"USE_SSL {'true' if parsed.scheme == 'https' else 'false'}")
        return f"CREATE OR REPLACE SECRET retrigger_s3 ({', '.join(options)})"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_httpfs(con: duckdb.DuckDBPyConnection) -> None:
    """``LOAD httpfs`` as DuckDB finds it, else from the pip wheel; BadInput naming both."""
    import duckdb as db

    try:
        con.execute("LOAD httpfs")
        return
    except db.Error:
        pass
    try:
        import duckdb_extension_httpfs  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        raise BadInput(
            "s3:// needs DuckDB's httpfs extension, which is not installed and could not be "
            "downloaded; pip install 'retrigger[s3]' installs it from PyPI"
        ) from None
    folder = Path(duckdb_extension_httpfs.__file__).parent / "extensions" / f"v{db.__version__}"
    try:
        con.execute(f"LOAD {_quote(str(folder / 'httpfs.duckdb_extension'))}")
    except db.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise BadInput(f"DuckDB's httpfs extension from PyPI does not load: {first}") from None


def connect_s3(con: duckdb.DuckDBPyConnection, access: S3Access) -> None:
    load_httpfs(con)
    con.execute(access.secret_sql())


def list_partitions(prefix: str, settings: DriftSignalConfig) -> list[Partition]:
    """The Parquet partitions under ``prefix``, fingerprinted by each object's size and
    last-modified time (what S3 lists for it); BadInput when the prefix cannot be listed."""
    import duckdb as db

    root = prefix.rstrip("/") + "/"
    con = db.connect(":memory:")
    try:
        connect_s3(con, S3Access.from_env())
        rows = con.execute(
            "SELECT filename, size, CAST(last_modified AS VARCHAR), epoch(last_modified) "
            "FROM read_blob(?)",
            [root + "**/*.parquet"],
        ).fetchall()
    except db.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise BadInput(f"{prefix} cannot be listed: {first}") from None
    finally:
        con.close()
    by_folder: dict[str, list[tuple[str, int, str, float]]] = {}
    for url, size, modified, epoch in sorted(rows):
        folder = str(url)[len(root) :].rpartition("/")[0] or "."
        by_folder.setdefault(folder, []).append((str(url), int(size), str(modified), epoch))
    del settings  # the listing needs no setting today; kept for the Spark listing to come
    return [
        remote_partition(name, [o[:3] for o in objects], max(float(o[3]) for o in objects))
        for name, objects in by_folder.items()
    ]


def footer_rows(files: Sequence[str]) -> dict[str, int]:
    """Rows of each object from its Parquet footer (no data page read); BadInput when the
    objects cannot be read."""
    import duckdb as db

    con = db.connect(":memory:")
    try:
        connect_s3(con, S3Access.from_env())
        rows = con.execute(
            "SELECT file_name, num_rows FROM parquet_file_metadata(?)", [list(files)]
        ).fetchall()
    except db.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise BadInput(f"the Parquet footers cannot be read: {first}") from None
    finally:
        con.close()
    return {str(name): int(n) for name, n in rows}
