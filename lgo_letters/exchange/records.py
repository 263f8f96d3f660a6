"""Council record files changed in place: only the fields an import gives change.

ruamel.yaml reads and writes the file round-trip, so everything else — YAML comments, key
order, quoting, folded paragraphs, flow lists — stays as written, byte for byte. A new key
goes where the record format lists it (`email` after `role`, say), not at the end.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from lgo_letters.schema.models import CouncilRecord, Statistics

_ORDER = {
    (): list(CouncilRecord.model_fields),
    ("statistics",): list(Statistics.model_fields),
}


def field_rank(path: str) -> tuple[int, int]:
    """Where a dotted field comes in a record (statistics.upheld after statistics)."""
    top, _, sub = path.partition(".")
    order = _ORDER[()]
    rank = order.index(top) if top in order else len(order)
    inner = _ORDER.get((top,), [])
    return rank, (inner.index(sub) if sub in inner else -1 if not sub else len(inner))


def _yaml(sequence_indent: int | None = None, dash_offset: int | None = None) -> YAML:
    """Mappings indented 2 (as every record is); block lists as the file has them ("- "
    under its key, or indented by 2), which is what ruamel's guess tells."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    offset = 2 if dash_offset is None else dash_offset
    yaml.indent(mapping=2, sequence=sequence_indent or offset + 2, offset=offset)
    return yaml


@dataclass
class RecordFile:
    """One record file as read: its text and its round-trip document (None if new)."""

    slug: str
    file: Path
    text: str
    document: CommentedMap
    sequence_indent: int | None = None
    dash_offset: int | None = None

    @classmethod
    def read(cls, slug: str, file: Path) -> RecordFile:
        """Raises ValueError with a message when the file is not a YAML mapping."""
        try:
            text = file.read_text(encoding="utf-8-sig")
            document, sequence_indent, dash_offset = load_yaml_guess_indent(text, yaml=_yaml())
        except (OSError, UnicodeDecodeError, YAMLError) as error:
            reason = getattr(error, "strerror", None) or str(error).splitlines()[0]
            raise ValueError(f"cannot read it to change it: {reason}") from None
        if not isinstance(document, CommentedMap):
            raise ValueError("cannot change it: it does not hold a mapping of keys to values")
        if dash_offset is None:  # no block list to guess from
            sequence_indent = None
        return cls(slug, file, text, document, sequence_indent, dash_offset)

    @classmethod
    def new(cls, slug: str, file: Path) -> RecordFile:
        return cls(slug, file, "", CommentedMap())

    def get(self, path: str) -> Any:
        """The plain value at a dotted path, or None."""
        node: Any = self.document
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return plain(node)

    def set(self, path: str, value: Any) -> None:
        *parents, key = path.split(".")
        mapping = self.document
        for depth, part in enumerate(parents):
            if not isinstance(mapping.get(part), CommentedMap):
                _insert(mapping, tuple(parents[:depth]), part, CommentedMap())
            mapping = mapping[part]
        _insert(mapping, tuple(parents), key, _styled(mapping.get(key), key, value))

    def dump(self) -> str:
        buffer = io.StringIO()
        _yaml(self.sequence_indent, self.dash_offset).dump(self.document, buffer)
        return buffer.getvalue()


def _styled(old: Any, key: str, value: Any) -> Any:
    """The new value in the style the old one was written in (a flow list stays a flow
    list); one email address replaces one address as plain text."""
    if not isinstance(value, list):
        return value
    if key in ("email", "cc") and len(value) == 1 and not isinstance(old, list):
        return value[0]
    sequence = CommentedSeq(value)
    flow = old.fa.flow_style() if isinstance(old, CommentedSeq) else key != "comments"
    if flow:
        sequence.fa.set_flow_style()
    else:
        sequence.fa.set_block_style()
    return sequence


def _insert(mapping: CommentedMap, where: tuple[str, ...], key: str, value: Any) -> None:
    """Set mapping[key]; a new key goes before the first key that the format lists after it."""
    if key in mapping:
        mapping[key] = value
        return
    order = _ORDER.get(where, [])
    rank = order.index(key) if key in order else len(order)
    position = len(mapping)
    for index, existing in enumerate(mapping):
        if existing in order and order.index(existing) > rank:
            position = index
            break
    mapping.insert(position, key, value)


def plain(value: Any) -> Any:
    """ruamel's round-trip types (CommentedMap, ScalarString …) as plain Python values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value
