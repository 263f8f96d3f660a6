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
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lgo_letters.errors import InputError, Problem

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
_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_SEQ_TAG = "tag:yaml.org,2002:seq"
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


class _Converter:
    def __init__(self, file: Path):
        self.file = file
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.constructor = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, field: str, message: str) -> InputError:
        mark = node.start_mark
        return InputError([Problem(self.file, mark.line + 1, mark.column + 1, field, message)])

    def convert(self, node: yaml.Node, path: Path_) -> Any:
        dotted = ".".join(str(p) for p in path)
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP_TAG:
                raise self.fail(node, dotted, f"the tag {node.tag} is not allowed here")
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                    raise self.fail(key_node, dotted, "keys must be plain words")
                key = str(key_node.value)
                if key in result:
                    line = self.positions[(*path, key)][0]
                    raise self.fail(
                        key_node,
                        ".".join(map(str, (*path, key))),
                        f"duplicate key (already given on line {line})",
                    )
                # A field is located by its key, which is where a person looks for it.
                self.positions[(*path, key)] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                result[key] = self.convert(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                raise self.fail(node, dotted, f"the tag {node.tag} is not allowed here")
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag not in _PLAIN_TAGS:
            raise self.fail(node, dotted, f"the tag {node.tag} is not allowed here")
        try:
            return self.constructor.construct_object(node)
        except (ValueError, OverflowError, yaml.YAMLError) as error:
            # e.g. 2021-02-30 looks like a date to YAML but is not one.
            kind = node.tag.rsplit(":", 1)[-1]
            what = "a real date" if node.tag == _TIMESTAMP_TAG else f"a valid {kind}"
            raise self.fail(node, dotted, f"{node.value!r} is not {what} ({error})") from None


class _RefuseAnchors:
    """A Composer that refuses anchors and aliases as they are read, before any expansion."""

    name: str

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
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
        return super().compose_node(parent, index)  # type: ignore[misc]


class _PythonComposer(_RefuseAnchors, yaml.SafeLoader):
    """PyYAML's own scanner and parser: slower, with the syntax messages we rewrite."""


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _FastComposer(_RefuseAnchors, yaml.composer.Composer, yaml.resolver.Resolver, CParser):
        """libyaml's scanner and parser, PyYAML's composer and resolver."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)

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


def _whole_file(file: Path, message: str) -> InputError:
    return InputError([Problem(file, None, None, "", message)])


def _read_text(file: Path) -> str:
    try:
        # Read at most one byte past the limit: a huge file (or a link to /dev/zero) is
        # refused without being read whole.
        with file.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise _whole_file(file, f"cannot read the file: {error.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise _whole_file(
            file,
            (
                f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB; a record is a few "
                "kilobytes, so this is not a record file"
            ),
        )
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


def _compose_with(composer: type, file: Path, text: str) -> yaml.Node | None:
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
    text = _read_text(file)
    try:
        node = _compose(file, text)
        if node is None:
            raise InputError([Problem(file, 1, 1, "", "the file is empty")])
        converter = _Converter(file)
        return YamlDocument(file, converter.convert(node, ()), converter.positions)
    except yaml.MarkedYAMLError as error:
        raise InputError([_syntax_problem(file, error)]) from None
    except yaml.YAMLError as error:
        raise _whole_file(file, f"YAML error: {error}") from None
    except RecursionError:
        raise _whole_file(file, "lists or mappings nested too deeply") from None
