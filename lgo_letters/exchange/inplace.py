"""A record's text with the fields an import gives changed in place, and nothing else.

What an import does to a record is nearly always small: counts replaced, a contact's role
or addresses replaced, an `email` or `code` added. Those edits are made here as splices of
the record's own text, at the spans libyaml reports for its nodes: a value is replaced
where it is written (in the quotes it was written in; a comment after it keeps its column
where it can), a list of one-line items is written again in its own style, and a new key
is a new line before the first key the record format lists after it (else after the last
entry of its mapping). Every other byte stays as it was.

Anything else — a folded paragraph, a list item with a comment, a new list in block style,
a mapping that is not there yet, text over 1,000 characters or with a character that is not
printable, a file with Windows line ends or tabs — gets None, and ruamel.yaml's round trip
(lgo_letters.exchange.records.rewrite) makes it.
The caller reads the text back with the project's reader and checks it holds exactly the
values intended (`reads_as`) before using it; if not, ruamel's round trip is used instead.
ruamel is pure Python and costs about 7 ms of CPU a record, so a 340-record import spent
most of its time there; these splices cost a fraction of a millisecond.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

# libyaml's composer where PyYAML has it (the text was read by the project's reader
# already, which refuses anchors; here only the nodes' spans are wanted).
_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The project's reader resolves plain scalars as YAML 1.1 does (PyYAML's resolver).
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
# Line breaks other than "\n", tabs and a byte-order mark: left to ruamel (and to the
# reader's Python scanner), where libyaml's columns and ours could disagree.
_LEFT_TO_RUAMEL = ("\r", "\t", "\ufeff", "\x85", "\u2028", "\u2029")
# Text longer than this is left to ruamel (which would fold a line over 4,096 characters).
_LONGEST = 1_000
# A plain scalar may not start with these (YAML indicators, or the start of a number or
# of `...`); such text is quoted.
_NOT_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`.+~ ")
_NOT_IN_FLOW = frozenset(",[]{}:#?")
_QUOTES = ("'", '"')
EMAIL_FIELDS = ("email", "cc")

Splice = tuple[int, int, str]  # start, end, new text
# The order of a mapping's keys (by the path of keys to it) that a new key is put in.
Order = Mapping[tuple[str, ...], list[str]]


def needs_double_quotes(text: str) -> bool:
    """Text that YAML 1.1 (the project's reader) would take for something else: `yes`,
    `2021-07-01`, `~`, `1_0`. Only the resolver's patterns are asked, nothing is parsed."""
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) != _STR_TAG


def _plain(text: str, flow: bool) -> bool:
    """Whether `text` can stand unquoted (conservatively: when in doubt, it is quoted)."""
    if text[0] in _NOT_FIRST or text != text.strip():
        return False
    if text[0].isdigit() and " " not in text:  # 2021, 0o17, 1e3, 10:30: a number to YAML 1.2
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    return not (flow and any(char in _NOT_IN_FLOW for char in text))


def scalar_text(value: Any, style: str | None = None, flow: bool = False) -> str | None:
    """`value` as a YAML scalar, as ruamel writes it: a count in digits; text in the quotes
    it was written in (`style`), else plain where it can be, else in single quotes (double
    quotes for text holding a single quote, and for text YAML 1.1 would read as another
    type). None: not a value this module writes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str) or not value or len(value) > _LONGEST:
        return None
    if not value.isprintable():
        return None
    double = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if needs_double_quotes(value) or style == '"':
        return double
    if style is None and _plain(value, flow):
        return value
    if style is None and "'" in value:
        return double
    return "'" + value.replace("'", "''") + "'"


class _NotHere(Exception):
    """An edit this module does not make: ruamel's round trip makes the record's text."""


def _scalar(value: Any, style: str | None = None, flow: bool = False) -> str:
    text = scalar_text(value, style, flow)
    if text is None:
        raise _NotHere
    return text


def _flow_list(values: list[Any]) -> str:
    if not values:
        raise _NotHere
    return "[" + ", ".join(_scalar(v, flow=True) for v in values) + "]"


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """The index just past the "\\n" that ends the line holding `index`."""
    return text.index("\n", index) + 1


def _style(node: yaml.Node) -> str | None:
    """A scalar's style: None when plain (libyaml's composer says "", PyYAML's None)."""
    return getattr(node, "style", None) or None


def _one_line_scalar(node: yaml.Node) -> yaml.ScalarNode:
    """`node`, a value on one line, plain or quoted and not empty (`key:` alone: where
    would a value go?)."""
    if (
        not isinstance(node, yaml.ScalarNode)
        or _style(node) not in (None, *_QUOTES)
        or node.start_mark.line != node.end_mark.line
        or not (node.value or _style(node))
    ):
        raise _NotHere
    return node


def _value_span(text: str, node: yaml.Node, new: str) -> Splice:
    """Replace the one-line value `node`; a comment after it keeps its column when the
    new value leaves room (as ruamel keeps it)."""
    if node.start_mark.line != node.end_mark.line:
        raise _NotHere
    start, end = node.start_mark.index, node.end_mark.index
    rest = text[end : _line_end(text, end) - 1]
    if not rest.strip():
        return start, end, new
    stripped = rest.lstrip(" ")
    if not stripped.startswith("#"):
        raise _NotHere
    gap = len(rest) - len(stripped)
    room = max(1, gap + (end - start) - len(new))
    return start, end + gap, new + " " * room


def _block_list(text: str, node: yaml.SequenceNode, values: list[Any]) -> Splice:
    """A block list of one-line items, one a line with nothing after them, written again
    with the same indentation."""
    items = node.value
    if not items or not values:
        raise _NotHere
    first = items[0]
    start = _line_start(text, first.start_mark.index)
    lead = text[start : first.start_mark.index]  # "- " or "  - "
    if lead.strip() != "-":
        raise _NotHere
    for number, item in enumerate(items):
        _one_line_scalar(item)
        line = _line_start(text, item.start_mark.index)
        if item.start_mark.line != first.start_mark.line + number:
            raise _NotHere  # a comment line between items
        if text[line : item.start_mark.index] != lead:
            raise _NotHere
        if text[item.end_mark.index : _line_end(text, item.end_mark.index)].strip():
            raise _NotHere  # a comment after the item
    end = _line_end(text, items[-1].end_mark.index)
    return start, end, "".join(f"{lead}{_scalar(v)}\n" for v in values)


def _replace(text: str, key: str, node: yaml.Node, value: Any) -> Splice:
    """The value of an existing key replaced, in the style it was written in (ruamel keeps
    a list's flow or block style and a text's quotes)."""
    if isinstance(value, list):
        if isinstance(node, yaml.SequenceNode):
            if node.flow_style:
                return _value_span(text, node, _flow_list(value))
            return _block_list(text, node, value)
        if key in EMAIL_FIELDS and len(value) == 1:
            value = value[0]  # one address replaces one address, as text
        elif key == "comments":
            raise _NotHere  # a block list in ruamel's guess of the file's indentation
        else:
            return _value_span(text, _one_line_scalar(node), _flow_list(value))
    node = _one_line_scalar(node)
    return _value_span(text, node, _scalar(value, _style(node)))


def _last_end(text: str, node: yaml.Node) -> int:
    """Where the last line of `node` (a mapping entry's value) ends."""
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style:
        if not node.value:
            raise _NotHere
        node = node.value[-1][1] if isinstance(node, yaml.MappingNode) else node.value[-1]
    if isinstance(node, yaml.ScalarNode):
        node = _one_line_scalar(node)  # a block scalar ends where the next line starts
    end = node.end_mark.index
    rest = text[end : _line_end(text, end)]
    if rest.strip() and not rest.strip().startswith("#"):
        raise _NotHere
    return end + len(rest)


def _insert(
    text: str, mapping: yaml.MappingNode, where: tuple[str, ...], key: str, value: Any, order: Order
) -> Splice:
    """A new line `key: value` in `mapping`, just before the first key the record format
    lists after `key` (as ruamel puts it), else after the mapping's last entry."""
    if isinstance(value, list) and key in EMAIL_FIELDS and len(value) == 1:
        new = _scalar(value[0])
    elif isinstance(value, list):
        if key == "comments":
            raise _NotHere  # a block list in ruamel's guess of the file's indentation
        new = _flow_list(value)
    else:
        new = _scalar(value)
    indent = mapping.value[0][0].start_mark.column
    line = f"{' ' * indent}{key}: {new}\n"
    rank = _rank(order, where, key)
    keys = order.get(where, [])
    for key_node, _ in mapping.value:
        if key_node.value in keys and keys.index(key_node.value) > rank:
            at = _line_start(text, key_node.start_mark.index)
            if text[at : key_node.start_mark.index] != " " * indent:
                raise _NotHere
            return at, at, line
    end = _last_end(text, mapping.value[-1][1])
    return end, end, line


def _rank(order: Order, where: tuple[str, ...], key: str) -> int:
    """Where `key` comes among the keys of the mapping at `where` (unlisted keys last)."""
    keys = order.get(where, [])
    return keys.index(key) if key in keys else len(keys)


def _entry(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    """The value node of `key` in `mapping` (None: not there)."""
    found = [v for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key]
    if len(found) > 1:
        raise _NotHere  # the reader refuses a duplicate key; ruamel's round trip too
    return found[0] if found else None


def _block_mapping(node: yaml.Node | None) -> yaml.MappingNode:
    if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
        raise _NotHere  # a new or flow mapping: ruamel's round trip writes it
    return node


def _splice(text: str, root: yaml.Node | None, path: str, value: Any, order: Order) -> Splice:
    *parents, key = path.split(".")
    mapping = _block_mapping(root)
    for part in parents:
        mapping = _block_mapping(_entry(mapping, part))
    node = _entry(mapping, key)
    if node is None:
        return _insert(text, mapping, tuple(parents), key, value, order)
    return _replace(text, key, node, value)


def edit_in_place(text: str, edits: Sequence[tuple[str, Any]], order: Order) -> str | None:
    """`text` with each (dotted field, value) of `edits` set in place, every other byte as
    it was (a new key placed by `order`); None when an edit is not one made here (see the
    module's docstring)."""
    if not edits or not text.endswith("\n") or any(c in text for c in _LEFT_TO_RUAMEL):
        return None
    # (start, end, -depth, rank, the edit's number, new text): of new keys put in one
    # place, a nested mapping's last comes first (it ends where its parent's entry does),
    # and the others come in the record format's order, then in the edits'.
    splices: list[tuple[int, int, int, int, int, str]] = []
    try:
        root = yaml.compose(text, Loader=_LOADER)
        for number, (path, value) in enumerate(edits):
            *parents, key = path.split(".")
            start, end, new = _splice(text, root, path, value, order)
            rank = _rank(order, tuple(parents), key)
            splices.append((start, end, -len(parents), rank, number, new))
    except (_NotHere, yaml.YAMLError):
        return None
    pieces = []
    done = 0
    for start, end, *_, new in sorted(splices):
        if start < done:
            return None  # two edits of one span
        pieces += [text[done:start], new]
        done = end
    return "".join(pieces) + text[done:]


def reads_as(read: Any, expected: Any, top: bool = True) -> bool:
    """Whether `read` (a text read back by the project's reader) holds exactly `expected`:
    the same keys, and values of the same types (1 is not true, "5" is not 5); an email or
    cc written as one address reads as that address, not a list of it."""
    if isinstance(expected, dict):
        if not isinstance(read, dict) or read.keys() != expected.keys():
            return False
        for key, value in expected.items():
            got = read[key]
            if (
                top
                and key in EMAIL_FIELDS
                and isinstance(value, list)
                and len(value) == 1
                and isinstance(got, str)
            ):
                got = [got]
            if not reads_as(got, value, top=False):
                return False
        return True
    if isinstance(expected, list):
        return (
            isinstance(read, list)
            and len(read) == len(expected)
            and all(reads_as(r, e, top=False) for r, e in zip(read, expected, strict=True))
        )
    if isinstance(expected, dt.date | bool | int | float | str) or expected is None:
        return type(read) is type(expected) and read == expected
    return False
