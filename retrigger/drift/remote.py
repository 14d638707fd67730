"""Object storage (``s3://``, ``gs://``, ``az://``) for the DuckDB engine: credentials from
the environment, DuckDB's httpfs (and azure) extension, and a prefix's partitions
fingerprinted by each object's size and time.

Credentials are the AWS variables (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN``, ``AWS_REGION``) and, for an S3-compatible server, ``AWS_ENDPOINT_URL``;
``GCS_*`` HMAC keys for ``gs://``; ``AZURE_STORAGE_CONNECTION_STRING`` for ``az://``; never
the config file. DuckDB's extensions are loaded as DuckDB finds them (installed, or downloaded
from extensions.duckdb.org), else from their PyPI wheels (``duckdb-extension-httpfs``, in
``pip install 'retrigger[s3]'``; ``duckdb-extension-azure``) for machines that cannot reach
that site.
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
    """What DuckDB needs to reach S3 and Google Cloud Storage, read once from the environment.
    Google's is its S3-interoperable API with HMAC keys (``GCS_ACCESS_KEY_ID``,
    ``GCS_SECRET_ACCESS_KEY``; ``GCS_ENDPOINT_URL`` for another server)."""

    key_id: str | None
    secret: str | None
    token: str | None
    region: str | None
    endpoint: str | None  # an S3-compatible server, e.g. http://127.0.0.1:9000
    gcs_key_id: str | None = None
    gcs_secret: str | None = None
    gcs_endpoint: str | None = None
    azure: str | None = None  # AZURE_STORAGE_CONNECTION_STRING, for az://

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> S3Access:
        env = os.environ if environ is None else environ
        return cls(
            env.get("AWS_ACCESS_KEY_ID"),
            env.get("AWS_SECRET_ACCESS_KEY"),
            env.get("AWS_SESSION_TOKEN"),
            env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"),
            env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL"),
            env.get("GCS_ACCESS_KEY_ID"),
            env.get("GCS_SECRET_ACCESS_KEY"),
            env.get("GCS_ENDPOINT_URL"),
            env.get("AZURE_STORAGE_CONNECTION_STRING"),
        )

    def secret_sql(self) -> str:
        keys = (
            ("KEY_ID", self.key_id),
            ("SECRET", self.secret),
            ("SESSION_TOKEN", self.token),
            ("REGION", self.region),
        )
        return _secret("s3", keys, self.endpoint)

    def gcs_secret_sql(self) -> str:
        return _secret(
            "gcs", (("KEY_ID", self.gcs_key_id), ("SECRET", self.gcs_secret)), self.gcs_endpoint
        )


def _secret(kind: str, keys: Sequence[tuple[str, str | None]], endpoint: str | None) -> str:
    options = [f"TYPE {kind}"] + [f"{key} {_quote(value)}" for key, value in keys if value]
    if endpoint:
        parsed = urlparse(endpoint)
        options.append(f"ENDPOINT {_quote(parsed.netloc or parsed.path)}")
        options.append("URL_STYLE 'path'")
        options.append(f"USE_SSL {'true' if parsed.scheme == 'https' else 'false'}")
    return f"CREATE OR REPLACE SECRET retrigger_{kind} ({', '.join(options)})"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_httpfs(con: duckdb.DuckDBPyConnection) -> None:
    """``LOAD httpfs`` as DuckDB finds it, else from the pip wheel; BadInput naming both."""
    _load(con, "httpfs", "s3:// and gs://", "pip install 'retrigger[s3]'")


def _load(con: duckdb.DuckDBPyConnection, name: str, used_by: str, install: str) -> None:
    import importlib

    import duckdb as db

    try:
        con.execute(f"LOAD {name}")
        return
    except db.Error:
        pass
    try:
        wheel = importlib.import_module(f"duckdb_extension_{name}")
    except ImportError:
        raise BadInput(
            f"reading {used_by} needs DuckDB's {name} extension, which is not installed: "
            f"{install} (from PyPI), or INSTALL {name} in DuckDB"
        ) from None
    folder = Path(str(wheel.__file__)).parent / "extensions" / f"v{db.__version__}"
    try:
        con.execute(f"LOAD {_quote(str(folder / f'{name}.duckdb_extension'))}")
    except db.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise BadInput(f"DuckDB's {name} extension from PyPI does not load: {first}") from None


def load_azure(con: duckdb.DuckDBPyConnection, connection_string: str | None) -> None:
    """DuckDB's azure extension with the ``AZURE_STORAGE_CONNECTION_STRING`` secret."""
    import duckdb as db

    install = f"pip install duckdb-extension-azure=={db.__version__}"
    _load(con, "azure", "az://", install)
    if not connection_string:
        raise BadInput("az:// needs AZURE_STORAGE_CONNECTION_STRING in the environment")
    con.execute(
        "CREATE OR REPLACE SECRET retrigger_az "
        f"(TYPE azure, CONNECTION_STRING {_quote(connection_string)})"
    )


def connect_s3(con: duckdb.DuckDBPyConnection, access: S3Access, azure: bool | None = None) -> None:
    """httpfs with a secret for ``s3://`` and one for ``gs://`` (each path picks its own);
    the azure extension too when ``azure`` (default: when its connection string is set)."""
    load_httpfs(con)
    con.execute(access.secret_sql())
    con.execute(access.gcs_secret_sql())
    if azure or (azure is None and access.azure):
        load_azure(con, access.azure)


def list_partitions(prefix: str, settings: DriftSignalConfig) -> list[Partition]:
    """The Parquet partitions under ``prefix``, fingerprinted by each object's size and
    last-modified time (what S3 lists for it); BadInput when the prefix cannot be listed."""
    import duckdb as db

    root = prefix.rstrip("/") + "/"
    con = db.connect(":memory:")
    try:
        connect_s3(con, S3Access.from_env(), azure=prefix.startswith("az://") or None)
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
        # az:// objects need the azure extension loaded (or the clear line saying it is
        # missing), not DuckDB's own error about an unknown scheme.
        azure = any(name.startswith("az://") for name in files) or None
        connect_s3(con, S3Access.from_env(), azure=azure)
        rows = con.execute(
            "SELECT file_name, num_rows FROM parquet_file_metadata(?)", [list(files)]
        ).fetchall()
    except db.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise BadInput(f"the Parquet footers cannot be read: {first}") from None
    finally:
        con.close()
    return {str(name): int(n) for name, n in rows}
