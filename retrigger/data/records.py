"""Records of files that are not one record per line: XML documents and JSON arrays, streamed.

XML: the records are the root element's children (``<posts><row Id="1" .../></posts>``, as in
StackOverflow dumps); a record's columns are its attributes and its child elements that hold only
text. Parsed with lxml's ``iterparse`` and cleared as it goes, so memory holds one record.
JSON: an array of objects, decoded one value at a time from a bounded buffer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any

from retrigger.data.formats import Unreadable, decompression_error, first_line

_CHUNK = 1 << 20
_SPACE = re.compile(r"[ \t\r\n]*")
Record = dict[str, object]


def xml_records(handle: IO[bytes], label: str) -> Iterator[Record]:
    """Each child of the root as a flat record: attributes, then simple child elements."""
    for element in _xml_children(handle, label):
        record: Record = dict(element.attrib)
        for child in element:
            if isinstance(child.tag, str) and len(child) == 0 and child.text is not None:
                record.setdefault(_local(child.tag), child.text)
        yield record


def xml_count(handle: IO[bytes], label: str) -> int:
    return sum(1 for _ in _xml_children(handle, label))


def _xml_children(handle: IO[bytes], label: str) -> Iterator[Any]:
    from lxml import etree  # type: ignore[import-untyped]  # lxml ships no stubs

    # No entity expansion, no network: a data file must not be able to read others.
    events = etree.iterparse(
        handle,
        events=("end",),
        resolve_entities=False,
        no_network=True,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        for _, element in events:
            parent = element.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # the root itself, or deeper than a record
            yield element
            element.clear(keep_tail=False)
            while element.getprevious() is not None:  # records already seen: free them
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise Unreadable(
            f"{label} is not well-formed XML ({first_line(exc)}); fix the file "
            "and `dvc add` it again"
        ) from None
    except Exception as exc:
        if decompression_error(exc):
            raise Unreadable(
                f"{label}: the compressed stream is damaged ({first_line(exc)})"
            ) from None
        raise


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # {namespace}name → name


def json_values(handle: IO[bytes], label: str) -> Iterator[object]:
    """The values of a JSON array (``[...]`` at the top), one at a time."""
    decoder = json.JSONDecoder()
    text, pos, at_end = "", 0, False
    reader = _text_chunks(handle, label)
    expect_open = True
    while True:
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]  # always matches
        if pos == len(text):
            if at_end:
                raise Unreadable(f"{label}: the JSON array is not closed; fix the file")
            text, pos, at_end = _refill(text, pos, reader)
            continue
        char = text[pos]
        if expect_open:
            if char != "[":
                raise Unreadable(f"{label} is not a JSON array of records")
            pos, expect_open = pos + 1, False
            continue
        if char == "]":
            return
        if char == ",":
            pos += 1
            continue
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            if at_end:
                raise Unreadable(
                    f"{label} is not valid JSON ({exc.msg} at character {exc.pos})"
                ) from None
            text, pos, at_end = _refill(text, pos, reader)  # a value cut by the buffer
            continue
        if end == len(text) and not at_end:  # a number may go on in the next chunk
            text, pos, at_end = _refill(text, pos, reader)
            continue
        pos = end
        yield value


def _refill(text: str, pos: int, reader: Iterator[str]) -> tuple[str, int, bool]:
    chunk = next(reader, None)
    if chunk is None:
        return text, pos, True
    return text[pos:] + chunk, 0, False


def _text_chunks(handle: IO[bytes], label: str) -> Iterator[str]:
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        while block := handle.read(_CHUNK):
            yield decoder.decode(block)
        yield decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise Unreadable(f"{label} is not UTF-8 text; re-save it as UTF-8") from None
    except Exception as exc:
        if decompression_error(exc):
            raise Unreadable(
                f"{label}: the compressed stream is damaged ({first_line(exc)})"
            ) from None
        raise


def starts_with_array(handle: IO[bytes]) -> bool:
    """Whether a ``.json`` file is one array (else: JSON Lines); reads a few bytes."""
    head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] == b"["
