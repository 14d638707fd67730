"""Data files in the shapes real projects keep them, written from one set of records.

The shapes follow iterative/example-get-started: ``data/data.xml`` is a StackOverflow posts dump
(``<posts>`` whose children are ``<row Id=".." PostTypeId=".." Score=".." Tags="&lt;r&gt;"
Title=".." Body=".."/>``, one per line) and ``data/prepared/{train,test}.tsv`` are
``id<TAB>label<TAB>text`` lines without a header, where the text keeps its quotes.
"""

from __future__ import annotations

import bz2
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

Record = dict[str, object]
COLUMNS = ["Id", "PostTypeId", "Score", "Tags", "Title"]


def posts(count: int, seed: int, shifted: bool = False) -> list[Record]:
    """StackOverflow-like posts; ``shifted`` moves Score up and makes R questions rarer."""
    rng = np.random.default_rng(seed)
    scores = rng.poisson(12 if shifted else 3, count)
    r_share = 0.15 if shifted else 0.5
    tags = np.where(rng.random(count) < r_share, "<r><dataframe>", "<python><pandas>")
    ids = rng.permutation(10 * count)[:count]
    return [
        {
            "Id": int(ids[i]),
            "PostTypeId": int(1 + i % 2),
            "Score": int(scores[i]),
            "Tags": str(tags[i]),
            "Title": f'How do I "merge" frames & keep <NA>? #{i}',
        }
        for i in range(count)
    ]


def _xml_attributes(records: list[Record]) -> bytes:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<posts>"]
    for record in records:
        attributes = " ".join(f"{k}={quoteattr(str(v))}" for k, v in record.items())
        lines.append(f"  <row {attributes} />")
    lines.append("</posts>")
    return ("\n".join(lines) + "\n").encode()


def _xml_elements(records: list[Record]) -> bytes:
    body = "".join(
        "<post>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in r.items()) + "</post>\n"
        for r in records
    )
    return f"<?xml version='1.0'?>\n<!-- exported -->\n<export>\n{body}</export>\n".encode()


def _delimited(records: list[Record], delimiter: str, header: bool) -> bytes:
    lines = [delimiter.join(COLUMNS)] if header else []
    lines += [delimiter.join(str(r[c]).replace(delimiter, " ") for c in COLUMNS) for r in records]
    return ("\n".join(lines) + "\n").encode()


def _csv(records: list[Record]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([r[c] for c in COLUMNS] for r in records)
    return out.getvalue().encode()


def _jsonl(records: list[Record]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def _json_array(records: list[Record]) -> bytes:
    return json.dumps(records, indent=2).encode()


def _zstd(data: bytes) -> bytes:
    import pyarrow as pa

    return bytes(pa.compress(data, codec="zstd", asbytes=True))


ENCODERS: dict[str, Callable[[list[Record]], bytes]] = {
    "posts.xml": _xml_attributes,
    "export.xml": _xml_elements,
    "train.tsv": lambda r: _delimited(r, "\t", header=False),
    "table.tsv": lambda r: _delimited(r, "\t", header=True),
    "table.csv": _csv,
    "rows.jsonl": _jsonl,
    "array.json": _json_array,
    "table.csv.gz": lambda r: gzip.compress(_csv(r)),
    "train.tsv.bz2": lambda r: bz2.compress(_delimited(r, "\t", header=False)),
    "rows.jsonl.zst": lambda r: _zstd(_jsonl(r)),
    "posts.xml.gz": lambda r: gzip.compress(_xml_attributes(r)),
}


def write(path: Path, records: list[Record]) -> Path:
    """Write ``records`` in the format ``path``'s name says (a key of ``ENCODERS``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ENCODERS[path.name](records))
    return path
