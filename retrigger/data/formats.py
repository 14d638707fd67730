"""What a data file is, from its name: a table format and an optional compression.

``train.csv.gz`` is CSV compressed with gzip; files in the DVC cache have no name, so callers
pass the tracked path's name. Only the standard library is imported here (the git hooks use
it); zstd is read through pyarrow, imported only for such a file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, cast

from retrigger.errors import BadInput

_KINDS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".xml": "xml",
}
_COMPRESSIONS = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bz2", ".zst": "zstd", ".zstd": "zstd"}
TEXT_KINDS = ("csv", "tsv", "jsonl", "json", "xml")
KNOWN_NAMES = ".csv .tsv .parquet .jsonl .json .xml, optionally .gz .bz2 .zst"


class Unavailable(BadInput):
    """A data version that cannot be read now. ``retrigger drift`` and ``delta`` stop on it
    (exit 2); a signal reports its reading as unknown with this message and the check goes on."""


class Unreadable(Unavailable):
    """A data file whose format no reader understands, or whose content is damaged."""


class NotInCache(Unavailable):
    """A data version whose content is not in the local DVC cache (nor could be fetched)."""


@dataclass(frozen=True)
class Format:
    """``kind`` None: no reader understands the file; ``name`` is what a person is shown."""

    kind: str | None
    compression: str | None
    name: str

    @property
    def known(self) -> bool:
        return self.kind is not None

    def refusal(self) -> str:
        return f"not countable / not testable: {self.name or 'no extension'}"


def format_of(path: str | PurePosixPath | Path) -> Format:
    """The format of a file named ``path`` (case does not matter)."""
    text = str(path)
    # A bare suffix (".csv", ".csv.gz") names a format too: give it a stem to hang on.
    named = PurePosixPath(f"x{text}" if text.startswith(".") else text)
    suffixes = [s.lower() for s in named.suffixes]
    if not suffixes:
        return Format(None, None, "")
    compression = _COMPRESSIONS.get(suffixes[-1])
    base = suffixes[-2] if compression is not None and len(suffixes) > 1 else suffixes[-1]
    kind = _KINDS.get(base)
    name = "".join(suffixes[-2:]) if compression is not None else suffixes[-1]
    if kind is None or (compression is not None and kind not in TEXT_KINDS):
        return Format(None, compression, name)
    return Format(kind, compression, name)


def open_binary(path: Path, fmt: Format) -> IO[bytes]:
    """The decompressed bytes of ``path``; the caller closes the handle."""
    if fmt.compression == "gzip":
        import gzip

        return cast("IO[bytes]", gzip.open(path, "rb"))
    if fmt.compression == "bz2":
        import bz2

        return bz2.open(path, "rb")
    if fmt.compression == "zstd":
        import pyarrow as pa  # Python 3.11 has no zstd; pyarrow ships the codec

        return io.BufferedReader(pa.input_stream(str(path), compression="zstd"))
    return path.open("rb")


def decompression_error(exc: BaseException) -> bool:
    """Whether ``exc`` is how gzip, bz2 or pyarrow's zstd say the stream is damaged."""
    import zlib

    if isinstance(exc, (EOFError, zlib.error)):
        return True
    if type(exc).__name__ in ("BadGzipFile", "ArrowInvalid", "ArrowIOError"):
        return True
    return isinstance(exc, OSError) and "Invalid data stream" in str(exc)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
