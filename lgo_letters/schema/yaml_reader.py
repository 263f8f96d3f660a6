"""Read a YAML file safely, keeping the line and column of every value.

PyYAML's composer gives nodes with positions and constructs nothing, so no tag can run
code. We turn nodes into plain Python values ourselves, refusing what a record never
needs: custom tags, anchors and aliases (which also rules out "billion laughs"), and
duplicate keys (which YAML would otherwise resolve silently, last one winning).

libyaml (PyYAML's C extension) scans and parses a plain record: a year's records read ten
times faster than with PyYAML's Python scanner. Nodes are still composed in Python, so
anchors are refused as they are read and deep nesting is a RecursionError, not a crash in C.
The Python scanner reads everything else: a file libyaml finds malformed (its messages are
the ones _syntax_problem rewrites), a file whose top level is not a mapping, and a file with
a character on which the two are known to differ (tabs, byte-order marks and Unicode line
breaks inside the text, "!" tags, "?" keys, a comment right after a block scalar's "|").

A record is a few kilobytes, so a file over MAX_FILE_BYTES is refused before it is parsed:
pure-Python YAML parsing of many megabytes takes minutes, and a file that size is never
a record (it is a wrong file, a paste gone wrong, or hostile).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lgo_letters.errors import InputError, Problem
from lgo_letters.schema.text import forbidden_character

Path_ = tuple[str | int, ...]

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
# YAML 1.1 reads 010 as 8, 0x1F as 31, 1_0 as 10 and 1:20 as 80: a count is plain digits.
_PLAIN_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
# YAML 1.1 also reads yes/no/on/off as true/false: only true and false are booleans here,
# and `recipients: [No]` is the text "No".
_BOOLEANS = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
MAX_FILE_BYTES = 1_000_000
# Where libyaml and PyYAML's Python scanner disagree (found by fuzzing both): leave to Python.
_NOT_FOR_LIBYAML = re.compile("[\t\ufeff\x85\u2028\u2029!?]|[|>][-+0-9]*#")


@dataclass
class YamlDocument:
    """A parsed file: its data and where each value (by path of keys) stands."""

    file: Path
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path_) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the value at `path`, or of its nearest parent."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        return None, None


class NotPlainNumber(str):
    """A value YAML 1.1 would read as a number but that is not written in plain digits
    (010, 0x1F, 1_0, 1:20). It stays the text it was written as, so a text field keeps what
    was typed, and a count refuses it with `reading`, what YAML would have made of it."""

    reading: object

    def __new__(cls, text: str, reading: object) -> NotPlainNumber:
        value = super().__new__(cls, text)
        value.reading = reading
        return value

    def advice(self) -> str:
        """'010' is not a plain number: write 10 or 8"""
        digits = self.replace("_", "")
        options = []
        if digits.lstrip("-").isdigit():
            options.append(str(int(digits)))
        if isinstance(self.reading, int) and str(self.reading) not in options:
            options.append(str(self.reading))
        write = " or ".join(options) if options else "a whole number in plain digits"
        return f"{str(self)!r} is not a plain number: write {write}"


class _Converter:
    def __init__(self, file: Path):
        self.file = file
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.constructor = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, path: Path_, message: str) -> InputError:
        mark = node.start_mark
        return InputError(
            [Problem(self.file, mark.line + 1, mark.column + 1, field_path(path), message)]
        )

    def convert(self, node: yaml.Node, path: Path_) -> Any:
        # Every value of every record passes here: the common cases (a mapping, a text, a
        # plain whole number) come first and cost as little as they can.
        mark = node.start_mark
        self.positions.setdefault(path, (mark.line + 1, mark.column + 1))
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            text = node.value
            if tag == _STR_TAG:  # what SafeConstructor makes of it: the text itself
                self.check_characters(node, path, text)
                return text
            if tag == _INT_TAG and len(text) < 19 and _PLAIN_INTEGER.fullmatch(text):
                return int(text)  # (a longer one may be too long for int(): see scalar)
            return self.scalar(node, path)
        if isinstance(node, yaml.MappingNode):
            if tag != _MAP_TAG:
                raise self.fail(node, path, f"the tag {tag} is not allowed here")
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                    raise self.fail(key_node, path, "keys must be plain words")
                key = str(key_node.value)
                self.check_characters(key_node, path, key)
                key_path = (*path, key)
                if key in result:
                    line = self.positions[key_path][0]
                    raise self.fail(
                        key_node, key_path, f"duplicate key (already given on line {line})"
                    )
                # A field is located by its key, which is where a person looks for it.
                key_mark = key_node.start_mark
                self.positions[key_path] = (key_mark.line + 1, key_mark.column + 1)
                result[key] = self.convert(value_node, key_path)
            return result
        if isinstance(node, yaml.SequenceNode):
            if tag != _SEQ_TAG:
                raise self.fail(node, path, f"the tag {tag} is not allowed here")
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        raise self.fail(node, path, f"the tag {tag} is not allowed here")

    def scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        """Any scalar but a text or a plain whole number, as SafeConstructor makes it, with
        YAML 1.1's surprises undone."""
        if node.tag not in _PLAIN_TAGS:
            raise self.fail(node, path, f"the tag {node.tag} is not allowed here")
        try:
            value = self.constructor.construct_object(node)
        except (ValueError, OverflowError, yaml.YAMLError) as error:
            # e.g. 2021-02-30 looks like a date to YAML but is not one.
            kind = node.tag.rsplit(":", 1)[-1]
            what = "a real date" if node.tag == _TIMESTAMP_TAG else f"a valid {kind}"
            raise self.fail(node, path, f"{node.value!r} is not {what} ({error})") from None
        if node.tag == _BOOL_TAG and node.value not in _BOOLEANS:
            return str(node.value)  # yes, no, on, off: text, as typed
        if (node.tag == _INT_TAG and not _PLAIN_INTEGER.fullmatch(node.value)) or (
            node.tag == _FLOAT_TAG and not _PLAIN_DECIMAL.fullmatch(node.value)
        ):
            return NotPlainNumber(node.value, value)
        if isinstance(value, str):
            self.check_characters(node, path, value)
        return value

    def check_characters(self, node: yaml.Node, path: Path_, text: str) -> None:
        problem = forbidden_character(text)
        if problem is not None:
            raise self.fail(node, path, f"{_shown(text)} {problem}")


class _RefuseAnchors(yaml.composer.Composer):
    """A Composer that refuses anchors and aliases as they are read, before any expansion."""

    name: str
    # Given by the parser each subclass is mixed with (PyYAML's Parser or libyaml's CParser).
    check_event: Callable[..., bool]
    peek_event: Callable[[], Any]
    dispose: Callable[[], None]

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent) or getattr(self.peek_event(), "anchor", None):
            mark = self.peek_event().start_mark
            raise InputError(
                [
                    Problem(
                        Path(self.name),
                        mark.line + 1,
                        mark.column + 1,
                        "",
                        "YAML anchors and aliases (& and *) are not allowed",
                    )
                ]
            )
        return super().compose_node(parent, index)


class _PythonComposer(_RefuseAnchors, yaml.SafeLoader):
    """PyYAML's own scanner and parser: slower, with the syntax messages we rewrite."""


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _LibyamlComposer(_RefuseAnchors, yaml.resolver.Resolver, CParser):
        """libyaml's scanner and parser, PyYAML's composer and resolver."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _FastComposer: type[_RefuseAnchors] | None = _LibyamlComposer
else:  # a PyYAML built without libyaml
    _FastComposer = None


def _syntax_problem(file: Path, error: yaml.MarkedYAMLError) -> Problem:
    """PyYAML's complaint, located, with the likely fix in plain words."""
    mark = error.problem_mark or error.context_mark
    reason = error.problem or error.context or "invalid YAML"
    if "'\\t'" in reason:
        reason = "a tab character: indent with spaces, never tabs"
    elif error.context and "quoted scalar" in error.context and error.context_mark:
        # Point at the opening quote, not at the end of the file where PyYAML noticed.
        mark = error.context_mark
        reason = "this quoted value is never closed: add the closing quote"
    elif "mapping values are not allowed" in reason:
        reason = (
            "unexpected ':' - check this line's indentation against the line above, "
            "or put quotes round a value that contains ': '"
        )
    elif reason.startswith(("expected <block end>", "did not find expected")):
        reason = (
            "this line is not indented like the lines above it: the keys of one "
            "mapping, and the items of one list, must line up exactly"
        )
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    return Problem(file, line, column, "", f"YAML syntax error: {reason}")


def _shown(text: str, limit: int = 40) -> str:
    """The start of `text` in quotes, anything invisible escaped, to name it in a message."""
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in shown)
    return f"'{escaped}'"


def field_path(path: Path_) -> str:
    """A value's place as messages name it: statistics.upheld, recipients[0]."""
    return ".".join(f"[{p}]" if isinstance(p, int) else p for p in path).replace(".[", "[")


def _reader_problem(file: Path, text: str, error: yaml.reader.ReaderError) -> Problem:
    """A character YAML refuses to read at all, located (PyYAML names no line)."""
    position = error.position
    if error.encoding == "unicode":  # the text was read: position counts its characters
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        char = chr(error.character) if isinstance(error.character, int) else error.character
        name = f"U+{ord(char):04X}"
    else:
        line, column, name, char = None, None, f"byte {error.character!r}", ""
    kind = "control character" if char and not char.isprintable() else "character"
    return Problem(
        file,
        line,
        column,
        "",
        f"the file holds the {kind} {name}, which YAML cannot read: remove it",
    )


def _whole_file(file: Path, message: str) -> InputError:
    return InputError([Problem(file, None, None, "", message)])


_NOT_REGULAR = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFDIR: "a folder",
}


def read_regular_file(file: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of `file`, which must be a regular file (after links).

    Opened without blocking: a named pipe in the data folder would otherwise wait for a
    writer for ever (a regular file reads the same either way). Raises OSError, or
    ValueError naming what the file is instead.
    """
    fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    try:
        status = os.fstat(fd)
        kind = stat.S_IFMT(status.st_mode)
        if kind == stat.S_IFDIR:  # as open() says it
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if kind != stat.S_IFREG:
            raise ValueError(f"not a regular file but {_NOT_REGULAR.get(kind, 'a special file')}")
        chunks = []
        wanted = limit + 1
        while wanted > 0:
            asked = min(wanted, max(status.st_size + 1, 65_536))
            chunk = os.read(fd, asked)
            chunks.append(chunk)
            wanted -= len(chunk)
            if not chunk or len(chunk) < asked:  # at the end: one read for most files
                break
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_file_bytes(file: Path) -> bytes:
    """The bytes of a YAML file, or InputError naming the file when it cannot be read or
    is far too large to be a record."""
    try:
        # Read at most one byte past the limit: a huge file is refused without being read whole.
        raw = read_regular_file(file, MAX_FILE_BYTES)
    except OSError as error:
        raise _whole_file(file, f"cannot read the file: {error.strerror}") from None
    except ValueError as error:
        raise _whole_file(file, f"cannot read the file: it is {error}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise _whole_file(
            file,
            (
                f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB; a record is a few "
                "kilobytes, so this is not a record file"
            ),
        )
    return raw


def _read_text(file: Path) -> str:
    return _decode(file, read_file_bytes(file))


def _decode(file: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")  # a byte-order mark, as some editors write, is fine
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError(
            [
                Problem(
                    file,
                    line,
                    column,
                    "",
                    (
                        f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x}): "
                        "save it as UTF-8"
                    ),
                )
            ]
        ) from None


def _compose_with(
    composer: Callable[[str], _RefuseAnchors], file: Path, text: str
) -> yaml.Node | None:
    loader = composer(text)
    loader.name = str(file)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _compose(file: Path, text: str) -> yaml.Node | None:
    """The file's node tree; a syntax error is raised by the Python parser, whose words we know."""
    if _FastComposer is not None and not _NOT_FOR_LIBYAML.search(text):
        with contextlib.suppress(yaml.YAMLError):
            node = _compose_with(_FastComposer, file, text)
            if isinstance(node, yaml.MappingNode):
                return node
    return _compose_with(_PythonComposer, file, text)


def read_yaml(file: Path) -> YamlDocument:
    """Parse `file`; raise InputError naming the file, line and column on any fault."""
    return parse_yaml(file, _read_text(file))


def parse_yaml_bytes(file: Path, raw: bytes) -> YamlDocument:
    """Parse `raw`, the bytes read from `file` (read_file_bytes): what was hashed is what
    is parsed. InputError naming the file, line and column on any fault."""
    return parse_yaml(file, _decode(file, raw))


def parse_yaml(file: Path, text: str) -> YamlDocument:
    """Parse `text` as the content of `file` (a file about to be written is checked exactly
    as it will be read); InputError naming the file, line and column on any fault."""
    try:
        node = _compose(file, text)
        if node is None:
            raise InputError([Problem(file, 1, 1, "", "the file is empty")])
        converter = _Converter(file)
        return YamlDocument(file, converter.convert(node, ()), converter.positions)
    except yaml.MarkedYAMLError as error:
        raise InputError([_syntax_problem(file, error)]) from None
    except yaml.reader.ReaderError as error:
        raise InputError([_reader_problem(file, text, error)]) from None
    except yaml.YAMLError as error:
        raise _whole_file(file, f"YAML error: {error}") from None
    except RecursionError:
        raise _whole_file(file, "lists or mappings nested too deeply") from None
