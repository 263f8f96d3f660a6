"""Read a YAML file safely, keeping the line and column of every value.

PyYAML's composer gives nodes with positions and constructs nothing, so no tag can run
code. We turn nodes into plain Python values ourselves, refusing what a record never
needs: custom tags, anchors and aliases (which also rules out "billion laughs"), and
duplicate keys (which YAML would otherwise resolve silently, last one winning).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lgo_letters.schema.problems import InputError, Problem

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
_SEQ_TAG = "tag:yaml.org,2002:seq"


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
                is_merge = key_node.tag == "tag:yaml.org,2002:merge"
                if not isinstance(key_node, yaml.ScalarNode) or is_merge:
                    raise self.fail(key_node, dotted, "keys must be plain words")
                key = str(key_node.value)
                if key in result:
                    line = self.positions[(*path, key)][0]
                    raise self.fail(key_node, ".".join(map(str, (*path, key))),
                                    f"duplicate key (already given on line {line})")
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
        return self.constructor.construct_object(node)


class _NoAliasComposer(yaml.SafeLoader):
    """Refuses anchors and aliases as they are read, before any expansion."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent) or getattr(self.peek_event(), "anchor", None):
            event = self.peek_event()
            mark = event.start_mark
            raise InputError([Problem(Path(self.name), mark.line + 1, mark.column + 1, "",
                                      "YAML anchors and aliases (& and *) are not allowed")])
        return super().compose_node(parent, index)


def read_yaml(file: Path) -> YamlDocument:
    """Parse `file`; raise InputError naming the file, line and column on any fault."""
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise InputError(
            [Problem(file, None, None, "", f"cannot read the file: {error.strerror}")]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError([Problem(file, line, None, "", "the file is not UTF-8 text")]) from None
    loader = _NoAliasComposer(text)
    loader.name = str(file)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or error.context or "invalid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise InputError(
            [Problem(file, line, column, "", f"YAML syntax error: {reason}")]
        ) from None
    except yaml.YAMLError as error:
        raise InputError([Problem(file, None, None, "", f"YAML error: {error}")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise InputError([Problem(file, 1, 1, "", "the file is empty")])
    converter = _Converter(file)
    data = converter.convert(node, ())
    return YamlDocument(file, data, converter.positions)
