"""Council record files changed in place: only the fields an import gives change.

The usual edits (a count, a role, addresses replaced; an `email` added) are spliced into
the record's text where its values stand (lgo_letters.exchange.inplace): only the edited
lines change. Any other edit, and a new record, is made by ruamel.yaml's round trip, which
keeps YAML comments, key order, quoting, folded paragraphs and flow lists (and may tidy
trailing spaces or another list's indentation). A new key goes where the record format
lists it (`email` after `role`, a statistic where the year's format.yaml lists it), not at
the end.
"""

from __future__ import annotations

import io
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lgo_letters.errors import InputError, Problem
from lgo_letters.exchange.inplace import Order, edit_in_place, needs_double_quotes
from lgo_letters.schema.models import CouncilRecord, FormatRecord
from lgo_letters.schema.yaml_reader import (
    MAX_FILE_BYTES,
    YamlDocument,
    read_regular_file,
    read_yaml,
)

if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap


def record_order(declared: FormatRecord) -> Order:
    """The order of a record's keys, in which a new key is put: the core fields', and the
    statistics as the year's format lists them."""
    return {(): list(CouncilRecord.model_fields), ("statistics",): list(declared.statistics)}


def field_rank(path: str, order: Order) -> tuple[int, int]:
    """Where a dotted field comes in a record (statistics.upheld after statistics)."""
    top, _, sub = path.partition(".")
    keys = order[()]
    rank = keys.index(top) if top in keys else len(keys)
    inner = order.get((top,), [])
    return rank, (inner.index(sub) if sub in inner else -1 if not sub else len(inner))


def _yaml(sequence_indent: int | None = None, dash_offset: int | None = None) -> YAML:
    """Mappings indented 2 (as every record is); block lists as the file has them ("- "
    under its key, or indented by 2), which is what ruamel's guess tells."""
    from ruamel.yaml import YAML  # only when a record needs the round trip

    round_trip = YAML(typ="rt")
    round_trip.preserve_quotes = True
    round_trip.width = 4096  # never re-wrap a long line
    offset = 2 if dash_offset is None else dash_offset
    round_trip.indent(mapping=2, sequence=sequence_indent or offset + 2, offset=offset)
    return round_trip


@dataclass
class RecordFile:
    """One record file: its data as the project reads it (for matching, comparing and
    validating), and the fields an import sets in it (written by `rewrite`)."""

    slug: str
    file: Path
    data: dict[str, Any]
    exists: bool = True
    edits: list[tuple[str, Any]] = field(default_factory=list)
    document: YamlDocument | None = None  # as read: where each field is written

    def line_of(self, path: str) -> int | None:
        """The line of a dotted field in the file as read (None: not in it)."""
        if self.document is None or self.get(path) is None:
            return None
        return self.document.locate(tuple(path.split(".")))[0]

    @classmethod
    def read(cls, slug: str, file: Path) -> RecordFile:
        """Raises InputError (located) when the file cannot be read as a mapping."""
        document = read_yaml(file)
        if not isinstance(document.data, dict):
            raise InputError(
                [Problem(file, None, None, "", "it does not hold a mapping of keys to values")]
            )
        return cls(slug, file, document.data, document=document)

    @classmethod
    def new(cls, slug: str, file: Path) -> RecordFile:
        return cls(slug, file, {}, exists=False)

    def get(self, path: str) -> Any:
        """The value at a dotted path, or None."""
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def set(self, path: str, value: Any) -> None:
        *parents, key = path.split(".")
        data = self.data
        for part in parents:
            if not isinstance(data.get(part), dict):
                data[part] = {}
            data = data[part]
        data[key] = value
        self.edits.append((path, value))


def edited_in_place(record: RecordFile, order: Order) -> str | None:
    """The record's new text with its edits spliced into its file's text
    (lgo_letters.exchange.inplace), a new key placed by `order`; None when ruamel's round
    trip must make it."""
    if not record.exists or not record.edits:
        return None
    try:
        text = read_regular_file(record.file, MAX_FILE_BYTES).decode("utf-8-sig")
    except (OSError, ValueError):
        return None
    return edit_in_place(text, record.edits, order)


def rewrite(file: Path | None, edits: list[tuple[str, Any]], order: Order) -> str:
    """The record's new text: `file` read round-trip (None: a new record), `edits` (dotted
    field, value) applied (a new key placed by `order`), written back. Raises ValueError
    when ruamel cannot read it."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.util import load_yaml_guess_indent

    dash_offset = sequence_indent = None
    if file is None:
        document = CommentedMap()
    else:
        try:
            text = file.read_text(encoding="utf-8-sig")
            document, sequence_indent, dash_offset = load_yaml_guess_indent(text, yaml=_yaml())
        except (OSError, YAMLError) as error:
            raise ValueError(f"cannot change it: {str(error).splitlines()[0]}") from None
        if dash_offset is None:  # no block list to guess from
            sequence_indent = None
    for path, value in edits:
        *parents, key = path.split(".")
        mapping = document
        for depth, part in enumerate(parents):
            if not isinstance(mapping.get(part), CommentedMap):
                _insert(mapping, order, tuple(parents[:depth]), part, CommentedMap())
            mapping = mapping[part]
        _insert(mapping, order, tuple(parents), key, _styled(mapping.get(key), key, value))
    buffer = io.StringIO()
    _yaml(sequence_indent, dash_offset).dump(document, buffer)
    return buffer.getvalue()


def _rewrite_job(job: tuple[Path | None, list[tuple[str, Any]], Order]) -> str | ValueError:
    try:
        return rewrite(*job)
    except ValueError as error:
        return error


# Below this many records, starting worker processes costs more than it saves.
_PARALLEL_FROM = 40


def rewrite_all(
    records: list[RecordFile], order: Order, jobs: int | None = None
) -> list[str | ValueError]:
    """Every record's new text (or the ValueError saying why not), in order. ruamel's
    round trip is pure Python (about 5 ms a record), so a whole year is split across the
    machine's cores."""
    work = [(r.file if r.exists else None, r.edits, order) for r in records]
    jobs = min(jobs or os.cpu_count() or 1, 8)
    if len(work) < _PARALLEL_FROM or jobs < 2:
        return [_rewrite_job(job) for job in work]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        return list(pool.map(_rewrite_job, work, chunksize=max(1, len(work) // (jobs * 4))))


def _scalar(value: Any) -> Any:
    """Text that the project's reader (YAML 1.1) would take for something else — `yes`,
    `2021-07-01`, `0o17`, `~` — is written in double quotes; ruamel (YAML 1.2) would not.
    The text is never parsed: only the resolver's patterns are asked what it looks like
    (ruamel itself quotes text that YAML's syntax needs quoted, `"Acting" Chief`, `@x`)."""
    if isinstance(value, str) and value and needs_double_quotes(value):
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString

        return DoubleQuotedScalarString(value)
    return value


def _styled(old: Any, key: str, value: Any) -> Any:
    """The new value in the style the old one was written in (a flow list stays a flow
    list); one email address replaces one address as plain text."""
    from ruamel.yaml.comments import CommentedSeq

    if not isinstance(value, list):
        return _scalar(value)
    value = [_scalar(v) for v in value]
    if key in ("email", "cc") and len(value) == 1 and not isinstance(old, list):
        return value[0]
    sequence = CommentedSeq(value)
    flow = old.fa.flow_style() if isinstance(old, CommentedSeq) else key != "comments"
    if flow:
        sequence.fa.set_flow_style()
    else:
        sequence.fa.set_block_style()
    return sequence


def _insert(
    mapping: CommentedMap, order: Order, where: tuple[str, ...], key: str, value: Any
) -> None:
    """Set mapping[key]; a new key goes before the first key that `order` lists after it."""
    if key in mapping:
        mapping[key] = value
        return
    keys = order.get(where, [])
    rank = keys.index(key) if key in keys else len(keys)
    position = len(mapping)
    for index, existing in enumerate(mapping):
        if existing in keys and keys.index(existing) > rank:
            position = index
            break
    mapping.insert(position, key, value)
