"""data/<year>/approvals.yaml and data/<year>/sent.yaml: read with located problems,
written readably and atomically.

approvals.yaml maps each approved council to what was approved (the sha256 of its PDF and
HTML, the build's input hash and the hashes of what that is made from, the addresses it was
to go to) and who approved it when. sent.yaml is a log that only grows: one entry an attempt
to send a message (sent or failed), appended as each ends. The text each letter had when
approved is kept beside them, in approved/<slug>.txt, so `review` can show what changed
after any rebuild; the text of each letter that went out, in released/ (see corrections.py).

Older files stay readable: an approval without addresses has them unknown; a sent.yaml
entry without `result` is a message the server accepted (before failures were logged).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError

from lgo_letters.errors import InputError
from lgo_letters.hashing import sha256_bytes
from lgo_letters.inputs import LetterSources
from lgo_letters.output import write_atomic
from lgo_letters.schema.errors import problem_at, problems_from_validation
from lgo_letters.schema.yaml_reader import (
    YamlDocument,
    parse_yaml_bytes,
    read_file_bytes,
    read_yaml,
)

APPROVALS = "approvals.yaml"
SENT = "sent.yaml"
PUBLISHED = "published.yaml"
APPROVED_TEXT = "approved"

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]

_APPROVALS_HEADER = """\
# Letters approved with `lgo-letters approve`: what was approved (the sha256 of the built
# PDF and HTML, and of what they were made from), by whom and when. A letter that changes
# after its approval is no longer approved. Commit this file.
"""
_SENT_HEADER = """\
# Letters sent with `lgo-letters send`: one entry an attempt, appended as each ends, with
# its result (sent: the server accepted it; failed: it did not, and nobody got it) and the
# server's reply. A council sent its letter here is never sent it again unless asked
# (--resend). Commit this file.
"""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LetterInputs(_Entry):
    """What one letter was made from: the build's input hash, and the parts it covers, each
    reduced to a hash (the averages as they are), so that a change can be named."""

    input: Sha256
    record: Sha256
    year: Sha256
    averages: dict[str, int | None]
    templates: Sha256
    engine: Sha256

    @classmethod
    def made_from(cls, sources: LetterSources, input_hash: str) -> LetterInputs:
        """The parts of `sources` (lgo_letters/inputs.py) an approval records, and the
        letter's input hash: hashes made here, so not checked again (status makes one for
        every council)."""
        return cls.model_construct(
            input=input_hash,
            record=sources.record,
            year=sources.year.year_file,
            averages=dict(sources.averages),
            templates=sources.year.templates,
            engine=sources.year.engine,
        )


class Approval(_Entry):
    by: str
    at: str  # ISO 8601, UTC
    pdf_sha256: Sha256
    html_sha256: Sha256
    inputs: LetterInputs
    # The record's addresses when approved (None: approved before they were kept), so that
    # a change of address since is shown (status, review).
    email: list[str] | None = None
    cc: list[str] | None = None


class SentMessage(_Entry):
    """One attempt to send a council its letter."""

    council: str
    result: Literal["sent", "failed"] = "sent"  # absent in logs from before failures were kept
    at: str  # ISO 8601, UTC
    to: list[str]
    cc: list[str] = []
    message_id: str
    pdf_sha256: Sha256
    subject: str | None = None
    # The server's last reply ("250 2.0.0 Ok: queued as …", "550 5.1.1 …"), or what went
    # wrong when there was none (a timeout, a lost connection).
    reply: str | None = None

    @property
    def sent(self) -> bool:
        return self.result == "sent"


class _SentLog(_Entry):
    sent: list[SentMessage] | None = None


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _read_document(file: Path) -> YamlDocument:
    """The file's YAML; an empty file is an empty mapping."""
    return _mapping(read_yaml(file))


def _mapping(document: YamlDocument) -> YamlDocument:
    """`document`, which must hold a mapping; an empty file is an empty mapping."""
    if document.data is None:
        document.data = {}
    if not isinstance(document.data, dict):
        raise InputError([problem_at(document, "", "the file must hold a mapping of keys")])
    return document


class _Approvals(RootModel[dict[str, Approval]]):
    """approvals.yaml as a whole: slug → approval."""


# approvals.yaml as last read or written whole in this process, by the sha256 of its bytes
# (one entry). The review desk reads the year again under the lock at each approval, and
# the located YAML reader takes about 0.13 s for 340 approvals. Keyed by the file's
# content, so a file anyone else changed is read afresh; Approval is frozen.
_approvals_by_content: dict[str, dict[str, Approval]] = {}


def _remember_approvals(raw: bytes, approvals: dict[str, Approval]) -> None:
    _approvals_by_content.clear()
    _approvals_by_content[sha256_bytes(raw)] = dict(approvals)


def load_approvals(year_dir: Path) -> dict[str, Approval]:
    """Approvals by slug; raises InputError (file, line, field) for a damaged file."""
    file = year_dir / APPROVALS
    if not file.exists():
        return {}
    raw = read_file_bytes(file)
    known = _approvals_by_content.get(sha256_bytes(raw))
    if known is not None:
        return dict(known)
    document = _mapping(parse_yaml_bytes(file, raw))
    try:
        approvals = dict(_Approvals.model_validate(document.data).root)
    except ValidationError as error:
        raise InputError(problems_from_validation(error, document, _Approvals)) from None
    _remember_approvals(raw, approvals)
    return dict(approvals)


def write_approvals(year_dir: Path, approvals: dict[str, Approval]) -> None:
    """The whole file, councils in order of slug, replaced atomically."""
    ordered = {slug: approvals[slug] for slug in sorted(approvals)}
    body = {slug: approval.model_dump(exclude_none=True) for slug, approval in ordered.items()}
    # No approval left (all withdrawn): an empty mapping, which reads back as one.
    raw = (_APPROVALS_HEADER + (_dump(body) if body else "{}\n")).encode("utf-8")
    write_atomic(year_dir / APPROVALS, raw)
    # What these bytes read as (tests/release/…: written, then read afresh, it is equal).
    _remember_approvals(raw, ordered)


def approved_text_file(year_dir: Path, slug: str) -> Path:
    return year_dir / APPROVED_TEXT / f"{slug}.txt"


def load_sent(year_dir: Path) -> list[SentMessage]:
    """Every message sent so far; raises InputError (file, line, field) for a damaged log."""
    file = year_dir / SENT
    if not file.exists():
        return []
    document = _read_document(file)
    try:
        return list(_SentLog.model_validate(document.data).sent or [])
    except ValidationError as error:
        raise InputError(problems_from_validation(error, document, _SentLog)) from None


# A line that ends the YAML document (`...`, maybe followed by a comment).
_DOCUMENT_END = re.compile(r"^\.\.\.[ \t]*(#.*)?$", re.MULTILINE)


def _appendable(text: str, key: str) -> bool:
    """Whether an entry written at the end of `text` (`- council: …`) lands in its `key:`
    list: the list is the last key, in block style at the left margin, and nothing but its
    entries and comments follows it (as this module writes it)."""
    starts = list(re.finditer(rf"^{key}:[ \t]*(#.*)?$", text, re.MULTILINE))
    if len(starts) != 1 or len(re.findall(rf"^{key}:", text, re.MULTILINE)) != 1:
        return False
    after = text[starts[0].end() :]
    lines = [
        line for line in after.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    return all(line.startswith(("- ", " ")) for line in lines) and (
        not lines or lines[0].startswith("- ")
    )


def append_to_log(
    file: Path,
    key: str,
    header: str,
    entries: list[dict[str, Any]],
    every: Callable[[], list[dict[str, Any]]],
    flow: bool = True,
) -> None:
    """Add entries to the end of a log that only grows (sent.yaml, approvals-log.yaml: a
    mapping whose `key` holds the list of entries) at once. The file is rewritten whole and
    renamed into place (and flushed to disk first), so a crash leaves either the old log or
    the new one, never half an entry.

    What was there before is kept byte for byte, but for a document end marker (`...`),
    which the entries must come before. A log laid out otherwise by hand (`key: []`, an
    indented list, another key after the list), where an entry at the end would not join
    the list, is written afresh from its entries (`every()`, which raises InputError for a
    damaged log) after `header`, in the layout above."""
    if not entries:
        return
    try:
        text = file.read_text(encoding="utf-8") if file.exists() else ""
    except (OSError, UnicodeDecodeError):
        text = ""
    text = _DOCUMENT_END.sub("", text).rstrip()
    if text and _appendable(text, key):
        new = text + "\n" + _dump(entries, flow)
    else:
        new = header + _dump({key: [*every(), *entries]}, flow)
    write_atomic(file, new)


def append_sent(year_dir: Path, message: SentMessage) -> None:
    """Add one entry to the end of sent.yaml at once (see append_to_log)."""
    append_to_log(
        year_dir / SENT,
        "sent",
        _SENT_HEADER,
        [message.model_dump(exclude_none=True)],
        lambda: [m.model_dump(exclude_none=True) for m in load_sent(year_dir)],
    )


def _stamp(file: Path) -> tuple[int, int, int] | None:
    try:
        status = file.stat()
    except OSError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


class SentLog:
    """sent.yaml as one `send` keeps it: read at the start, appended to as each attempt
    ends, and read again whenever another process has written it since (so a council sent
    its letter meanwhile is seen before its message goes)."""

    def __init__(self, year_dir: Path):
        self.year_dir = year_dir
        self.file = year_dir / SENT
        self.entries = load_sent(year_dir)
        self.stamp = _stamp(self.file)

    def current(self) -> list[SentMessage]:
        """The entries as the file holds them now."""
        if _stamp(self.file) != self.stamp:
            self.entries = load_sent(self.year_dir)
            self.stamp = _stamp(self.file)
        return self.entries

    def sent_count(self, slug: str) -> int:
        """How many messages to this council the server has accepted."""
        return sum(1 for entry in self.current() if entry.council == slug and entry.sent)

    def append(self, message: SentMessage) -> None:
        self.current()
        append_sent(self.year_dir, message)
        self.entries = [*self.entries, message]
        self.stamp = _stamp(self.file)


_PUBLISHED_HEADER = """\
# Letters published with `lgo-letters publish`: the sha256 of each PDF as published, and
# each published letter later replaced by a corrected one. Commit this file.
"""


class ChangedSentence(_Entry):
    before: str = ""  # "" when the sentence is new
    after: str = ""  # "" when it was taken out


class PublishedCorrection(_Entry):
    """A published letter replaced by a corrected one (listed in corrections.csv)."""

    council: str
    date: dt.date  # when the correction was sent (else approved)
    replaces: Sha256  # the PDF published before
    pdf_sha256: Sha256  # the corrected one
    known: bool = True  # False: the earlier text was not kept, the changes are unknown
    changes: list[ChangedSentence] = []


class _Published(_Entry):
    published: dict[str, Sha256] | None = None
    corrections: list[PublishedCorrection] | None = None


def _load_publication(year_dir: Path) -> _Published:
    file = year_dir / PUBLISHED
    if not file.exists():
        return _Published()
    document = _read_document(file)
    try:
        return _Published.model_validate(document.data)
    except ValidationError as error:
        raise InputError(problems_from_validation(error, document, _Published)) from None


def load_published(year_dir: Path) -> dict[str, str]:
    """The sha256 of each council's published PDF, by slug."""
    return dict(_load_publication(year_dir).published or {})


def load_published_corrections(year_dir: Path) -> list[PublishedCorrection]:
    """Every published letter replaced by a corrected one, in the order they were."""
    return list(_load_publication(year_dir).corrections or [])


def write_published(
    year_dir: Path,
    published: dict[str, str],
    corrections: list[PublishedCorrection] | None = None,
) -> None:
    body: dict[str, object] = {"published": dict(sorted(published.items()))}
    if corrections:
        body["corrections"] = [c.model_dump(mode="json") for c in corrections]
    write_atomic(year_dir / PUBLISHED, _PUBLISHED_HEADER + _dump(body, flow=False))


# libyaml's emitter where PyYAML has it: the same text, eight times faster than PyYAML's own
# (approvals.yaml is written whole at each approval: 0.5 s of CPU for 340 letters).
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(data: object, flow: bool = True) -> str:
    """Block style, one key a line; with `flow`, the innermost lists and mappings on one
    line (`to: [a@b.org]`)."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None if flow else False,
        width=100,
    )
