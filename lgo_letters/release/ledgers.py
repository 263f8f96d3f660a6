"""data/<year>/approvals.yaml and data/<year>/sent.yaml: read with located problems,
written readably and atomically.

approvals.yaml maps each approved council to what was approved (the sha256 of its PDF and
HTML, the build's input hash and the hashes of what that is made from) and who approved it
when. sent.yaml is a log that only grows: one entry a message, appended as each is sent.
The text each letter had when approved is kept beside them, in approved/<slug>.txt, so
`review` can show what changed after any rebuild.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError

from lgo_letters.errors import InputError
from lgo_letters.inputs import LetterSources
from lgo_letters.output import write_atomic
from lgo_letters.schema.errors import problem_at, problems_from_validation
from lgo_letters.schema.yaml_reader import YamlDocument, read_yaml

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
# Letters sent with `lgo-letters send`, one entry a message, appended as each is sent.
# A council listed here is never sent its letter again unless asked (--resend). Commit
# this file.
sent:
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


class SentMessage(_Entry):
    council: str
    at: str  # ISO 8601, UTC
    message_id: str
    to: list[str]
    cc: list[str] = []
    pdf_sha256: Sha256


class _SentLog(_Entry):
    sent: list[SentMessage] | None = None


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _read_document(file: Path) -> YamlDocument:
    """The file's YAML; an empty file is an empty mapping."""
    document = read_yaml(file)
    if document.data is None:
        document.data = {}
    if not isinstance(document.data, dict):
        raise InputError([problem_at(document, "", "the file must hold a mapping of keys")])
    return document


class _Approvals(RootModel[dict[str, Approval]]):
    """approvals.yaml as a whole: slug → approval."""


def load_approvals(year_dir: Path) -> dict[str, Approval]:
    """Approvals by slug; raises InputError (file, line, field) for a damaged file."""
    file = year_dir / APPROVALS
    if not file.exists():
        return {}
    document = _read_document(file)
    try:
        return dict(_Approvals.model_validate(document.data).root)
    except ValidationError as error:
        raise InputError(problems_from_validation(error, document, _Approvals)) from None


def write_approvals(year_dir: Path, approvals: dict[str, Approval]) -> None:
    """The whole file, councils in order of slug, replaced atomically."""
    body = {slug: approvals[slug].model_dump() for slug in sorted(approvals)}
    text = _APPROVALS_HEADER + (_dump(body) if body else "")
    write_atomic(year_dir / APPROVALS, text)


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


def append_sent(year_dir: Path, message: SentMessage) -> None:
    """Add one entry to the end of sent.yaml at once. The file is rewritten whole and
    renamed into place (and flushed to disk first), so a crash leaves either the old log or
    the new one, never half an entry; what was there before is kept byte for byte."""
    file = year_dir / SENT
    before = file.read_text(encoding="utf-8") if file.exists() else _SENT_HEADER
    if not before.endswith("\n"):
        before += "\n"
    write_atomic(file, before + _dump([message.model_dump()]))


_PUBLISHED_HEADER = """\
# Letters published with `lgo-letters publish`: the sha256 of each PDF as published.
# Commit this file.
"""


class _Published(_Entry):
    published: dict[str, Sha256] | None = None


def load_published(year_dir: Path) -> dict[str, str]:
    """The sha256 of each council's published PDF, by slug."""
    file = year_dir / PUBLISHED
    if not file.exists():
        return {}
    document = _read_document(file)
    try:
        return dict(_Published.model_validate(document.data).published or {})
    except ValidationError as error:
        raise InputError(problems_from_validation(error, document, _Published)) from None


def write_published(year_dir: Path, published: dict[str, str]) -> None:
    body = {"published": dict(sorted(published.items()))}
    write_atomic(year_dir / PUBLISHED, _PUBLISHED_HEADER + _dump(body, flow=False))


def _dump(data: object, flow: bool = True) -> str:
    """Block style, one key a line; with `flow`, the innermost lists and mappings on one
    line (`to: [a@b.org]`)."""
    return yaml.safe_dump(
        data,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None if flow else False,
        width=100,
    )
