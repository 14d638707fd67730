"""Rows of a Parquet file from its footer, without pyarrow (whose import costs a hook 0.2 s).

The footer is ``<FileMetaData, Thrift compact protocol> <4-byte length> PAR1``; FileMetaData's
field 1 is the format version, field 2 the schema, field 3 ``num_rows``. Only that much is
decoded: everything else is skipped by type. Anything unexpected raises ``ValueError`` and the
caller falls back to pyarrow.
"""

from __future__ import annotations

import struct
from pathlib import Path

_MAGIC = b"PAR1"
_STOP, _TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY = range(9)
_LIST, _SET, _MAP, _STRUCT = 9, 10, 11, 12
_NUM_ROWS = 3


def footer_rows(path: Path) -> int:
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        if size < 12:
            raise ValueError("too small for a Parquet file")
        handle.seek(size - 8)
        tail = handle.read(8)
        if tail[4:] != _MAGIC:
            raise ValueError("no PAR1 footer (encrypted or not Parquet)")
        (length,) = struct.unpack("<I", tail[:4])
        if length > size - 12:
            raise ValueError("footer length past the start of the file")
        handle.seek(size - 8 - length)
        return _Reader(handle.read(length)).num_rows()


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def byte(self) -> int:
        value = self.data[self.pos]  # IndexError on truncation, turned into ValueError below
        self.pos += 1
        return value

    def varint(self) -> int:
        shift = result = 0
        while True:
            byte = self.byte()
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7
            if shift > 70:
                raise ValueError("varint too long")

    def zigzag(self) -> int:
        value = self.varint()
        return (value >> 1) ^ -(value & 1)

    def num_rows(self) -> int:
        try:
            field = 0
            while (header := self.byte()) != _STOP:
                kind, delta = header & 0x0F, header >> 4
                field = field + delta if delta else self.zigzag()
                if field == _NUM_ROWS and kind == _I64:
                    return self.zigzag()
                self.skip(kind)
        except IndexError:
            raise ValueError("truncated footer") from None
        raise ValueError("footer has no num_rows")

    def skip(self, kind: int) -> None:
        if kind in (_TRUE, _FALSE):
            return
        if kind == _BYTE:
            self.pos += 1
        elif kind in (_I16, _I32, _I64):
            self.varint()
        elif kind == _DOUBLE:
            self.pos += 8
        elif kind == _BINARY:
            length = self.varint()  # read first: `pos += varint()` would add to the old pos
            self.pos += length
        elif kind in (_LIST, _SET):
            header = self.byte()
            count = header >> 4 if header >> 4 != 15 else self.varint()
            for _ in range(count):
                self._skip_element(header & 0x0F)
        elif kind == _MAP:
            self._skip_map()
        elif kind == _STRUCT:
            self._skip_struct()
        else:
            raise ValueError(f"unknown Thrift type {kind}")

    def _skip_element(self, kind: int) -> None:
        if kind in (_TRUE, _FALSE):
            self.pos += 1  # booleans inside containers take a byte each
        else:
            self.skip(kind)

    def _skip_map(self) -> None:
        count = self.varint()
        if count:
            types = self.byte()
            for _ in range(count):
                self._skip_element(types >> 4)
                self._skip_element(types & 0x0F)

    def _skip_struct(self) -> None:
        while (header := self.byte()) != _STOP:
            if not header >> 4:
                self.zigzag()  # a long-form field id
            self.skip(header & 0x0F)
