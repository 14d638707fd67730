"""The modules a pickle (or a joblib file) imports when it is loaded, read from its opcodes:
nothing is unpickled, so nothing is imported and no code in the file runs.

A pickle names each class or function it needs as ``module name`` (``GLOBAL``, ``INST``) or
pushes the two strings before ``STACK_GLOBAL``; a small stack of the values the opcodes build
keeps those strings (and the few values joblib's array wrapper needs) within reach.

joblib writes each numpy array after its ``NumpyArrayWrapper`` (raw bytes, or a nested pickle
for object arrays) and may compress the whole file (zlib, gzip, bz2, xz, lzma): both handled.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import pickletools
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from retrigger.errors import WorkFailed

# Names a pickle written by Python 2 (or protocol 0-2) may use for the standard library.
_OLD_STDLIB = frozenset({"__builtin__", "copy_reg", "__main__"})
_WRAPPER = ("joblib.numpy_pickle", "NumpyArrayWrapper")
# Compressed joblib files, by their first bytes (joblib/compressor.py); lz4 is not stdlib.
_OPENERS: tuple[tuple[bytes, Any], ...] = (
    (b"\x1f\x8b", gzip.GzipFile),
    (b"BZh", bz2.BZ2File),
    (b"\xfd7zXZ", lzma.LZMAFile),
    (b"\x5d\x00\x00", lzma.LZMAFile),
)


@dataclass(frozen=True)
class Global:
    module: str
    name: str


@dataclass
class _Built:
    """An object the load would build: what builds it, with what, and its state."""

    maker: Any
    args: Any
    state: Any = None


_MARK = object()
_UNKNOWN = object()  # a value this reader does not rebuild (a persistent id, an extension)


@dataclass
class Imports:
    """Every ``module.name`` the pickle loads (``__main__`` ones included)."""

    globals: set[Global] = field(default_factory=set)

    @property
    def top_level(self) -> set[str]:
        """The top-level packages it imports, the standard library left out, and joblib's own
        array wrappers too (how joblib stores arrays, gone once the model is re-pickled)."""
        tops = {g.module.split(".")[0] for g in self.globals if g.module != _WRAPPER[0]}
        return {t for t in tops if t not in sys.stdlib_module_names and t not in _OLD_STDLIB}

    @property
    def from_main(self) -> list[str]:
        """Classes defined in the training script itself: they load only where it runs."""
        return sorted(g.name for g in self.globals if g.module == "__main__")


def read(path: Path) -> Imports:
    """The imports of the pickle or joblib file at ``path``; WorkFailed when it is neither."""
    found = Imports()
    try:
        with _open(path) as handle:
            _walk(handle, found)
    except (
        ValueError,
        EOFError,
        OSError,
        IndexError,
        TypeError,
        zlib.error,
        lzma.LZMAError,
    ) as exc:
        raise WorkFailed(
            f"model.artifact {path} is not a pickle or joblib file retrigger can read "
            f"({str(exc)[:120]})"
        ) from None
    return found


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as handle:
        head = handle.read(6)
    if head[:1] == b"\x78":  # joblib's zlib: one stream, no file wrapper in the stdlib
        return io.BytesIO(zlib.decompress(path.read_bytes()))
    for magic, opener in _OPENERS:
        if head.startswith(magic):
            return opener(str(path), "rb")  # type: ignore[no-any-return]
    if head.startswith(b"\x04\x22\x4d\x18"):
        raise ValueError("lz4-compressed joblib file")
    return path.open("rb")


def _walk(handle: IO[bytes], found: Imports) -> None:
    """One pickle, up to its STOP, reading joblib's array payloads where they sit."""
    stack: list[Any] = []
    memo: dict[int, Any] = {}
    for opcode, arg, _ in pickletools.genops(handle):
        name = opcode.name
        if name == "STOP":
            return
        if name == "BUILD":
            state = stack.pop()
            if isinstance(stack[-1], _Built):
                stack[-1].state = state
                if stack[-1].maker == Global(*_WRAPPER):
                    _skip_array(handle, state, found)
            continue
        _step(name, arg, stack, memo, found)


def _step(name: str, arg: Any, stack: list[Any], memo: dict[int, Any], found: Imports) -> None:
    if name in _MEMO:
        _memo_op(name, arg, stack, memo)
    elif name in ("GLOBAL", "INST"):
        module, attr = str(arg).split(" ", 1)
        found.globals.add(Global(module, attr))
        if name == "INST":
            _pop_mark(stack)
            stack.append(_Built(Global(module, attr), ()))
        else:
            stack.append(Global(module, attr))
    elif name == "STACK_GLOBAL":
        attr, module = stack.pop(), stack.pop()
        if isinstance(module, str) and isinstance(attr, str):
            found.globals.add(Global(module, attr))
            stack.append(Global(module, attr))
        else:
            stack.append(_UNKNOWN)
    elif name in _CONTAINERS:
        _container_op(name, stack)
    elif name in ("REDUCE", "NEWOBJ"):
        args = stack.pop()
        stack.append(_Built(stack.pop(), args))
    elif name == "NEWOBJ_EX":
        stack.pop()
        args = stack.pop()
        stack.append(_Built(stack.pop(), args))
    elif name == "OBJ":
        items = _pop_mark(stack)
        stack.append(_Built(items[0] if items else _UNKNOWN, tuple(items[1:])))
    else:
        _plain_op(name, arg, stack)


_MEMO = frozenset({"PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE", "GET", "BINGET", "LONG_BINGET"})
_CONTAINERS = frozenset(
    {
        "MARK",
        "EMPTY_TUPLE",
        "TUPLE",
        "TUPLE1",
        "TUPLE2",
        "TUPLE3",
        "EMPTY_LIST",
        "LIST",
        "APPEND",
        "APPENDS",
        "EMPTY_DICT",
        "DICT",
        "SETITEM",
        "SETITEMS",
        "EMPTY_SET",
        "ADDITEMS",
        "FROZENSET",
    }
)


def _memo_op(name: str, arg: Any, stack: list[Any], memo: dict[int, Any]) -> None:
    if name == "MEMOIZE":
        memo[len(memo)] = stack[-1]
    elif name.endswith("PUT"):
        memo[int(arg)] = stack[-1]
    else:
        stack.append(memo.get(int(arg), _UNKNOWN))


def _container_op(name: str, stack: list[Any]) -> None:
    if name == "MARK":
        stack.append(_MARK)
    elif name == "EMPTY_TUPLE":
        stack.append(())
    elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
        size = int(name[-1])
        last = tuple(stack[-size:])
        del stack[-size:]
        stack.append(last)
    elif name in ("TUPLE", "LIST", "FROZENSET"):
        items = _pop_mark(stack)
        stack.append(tuple(items) if name == "TUPLE" else list(items))
    elif name in ("EMPTY_LIST", "EMPTY_DICT", "EMPTY_SET"):
        stack.append({"EMPTY_LIST": [], "EMPTY_DICT": {}, "EMPTY_SET": _UNKNOWN}[name])
    elif name == "APPEND":
        value = stack.pop()
        if isinstance(stack[-1], list):
            stack[-1].append(value)
    elif name in ("APPENDS", "ADDITEMS"):
        items = _pop_mark(stack)
        if isinstance(stack[-1], list):
            stack[-1].extend(items)
    elif name == "DICT":
        items = _pop_mark(stack)
        stack.append(_pairs({}, items))
    elif name == "SETITEM":
        value, key = stack.pop(), stack.pop()
        _pairs(stack[-1], [key, value])
    else:  # SETITEMS
        items = _pop_mark(stack)
        _pairs(stack[-1], items)


def _pairs(into: Any, items: list[Any]) -> Any:
    if isinstance(into, dict):
        for key, value in zip(items[::2], items[1::2], strict=False):
            if isinstance(key, str | int | bytes | float | bool | None):
                into[key] = value
    return into


def _plain_op(name: str, arg: Any, stack: list[Any]) -> None:
    if name in ("PROTO", "FRAME", "READONLY_BUFFER"):
        return
    if name == "POP":
        stack.pop()
    elif name == "POP_MARK":
        _pop_mark(stack)
    elif name == "DUP":
        stack.append(stack[-1])
    elif name == "NONE":
        stack.append(None)
    elif name in ("NEWTRUE", "NEWFALSE"):
        stack.append(name == "NEWTRUE")
    elif name == "BINPERSID":
        stack.pop()
        stack.append(_UNKNOWN)
    elif name in ("PERSID", "EXT1", "EXT2", "EXT4", "NEXT_BUFFER"):
        stack.append(_UNKNOWN)
    else:  # the literals: ints, floats, strings, bytes (genops decoded them)
        stack.append(arg)


def _pop_mark(stack: list[Any]) -> list[Any]:
    items: list[Any] = []
    while stack:
        item = stack.pop()
        if item is _MARK:
            items.reverse()
            return items
        items.append(item)
    raise ValueError("a MARK is missing")


def _skip_array(handle: IO[bytes], state: Any, found: Imports) -> None:
    """Past the array joblib wrote after its wrapper (joblib/numpy_pickle.py, write_array):
    a nested pickle for object arrays, else a padding byte (+ padding) and the raw data."""
    if not isinstance(state, dict) or not isinstance(state.get("dtype"), _Built):
        raise ValueError("a joblib array wrapper without its dtype")
    dtype: _Built = state["dtype"]
    dstate = dtype.state if isinstance(dtype.state, tuple) else ()
    flags = dstate[7] if len(dstate) > 7 and isinstance(dstate[7], int) else 0
    if flags & 1 or (isinstance(dtype.args, tuple) and dtype.args[:1] == ("O",)):  # objects
        _walk(handle, found)
        return
    if state.get("numpy_array_alignment_bytes") is not None:
        padding = handle.read(1)
        handle.read(int.from_bytes(padding, "little"))
    count = 1
    for size in state.get("shape") or ():
        count *= int(size)
    _read_exactly(handle, count * _itemsize(dtype.args, dstate))


def _itemsize(args: Any, dstate: tuple[Any, ...]) -> int:
    """Bytes per element: the pickled dtype's own size when it has one (flexible and
    structured types), else its type string's (``f8``, ``i4``, ``b1``, ``M8``...)."""
    if len(dstate) > 5 and isinstance(dstate[5], int) and dstate[5] > 0:
        return dstate[5]
    import numpy as np

    return int(np.dtype(args[0]).itemsize)


def _read_exactly(handle: IO[bytes], size: int) -> None:
    while size > 0:
        chunk = handle.read(min(size, 1 << 20))
        if not chunk:
            raise EOFError("the file ends inside a joblib array")
        size -= len(chunk)
