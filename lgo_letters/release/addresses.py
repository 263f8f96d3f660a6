"""Who each letter goes to: addresses as SMTP needs them, and addresses two councils share.

- `mailbox()`: an address as written in a record, in the form the envelope and headers
  carry: the domain in ASCII (IDNA: `ynysmôn.example` → `xn--ynysmn-mxa.example`), and
  whether the part before the @ is not ASCII, which only a server offering SMTPUTF8 can
  take (such a message is then sent, and written to the outbox, as UTF-8: RFC 6531/6532).
- `address_conflicts()`: an address, or a domain, that two councils' records give (Ashby's
  `email` set to Barnfield's address, a `cc` to someone at Denholm) is a likely slip that
  would send one council's letter to another. It is a warning in `validate` (an error with
  --strict) and `send` holds both letters back, until the records are fixed or year.yaml
  lists the address or domain under `shared_addresses`.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any, NamedTuple

from lgo_letters.caches import JsonCache
from lgo_letters.errors import InputError, Problem
from lgo_letters.hashing import code_version, json_sha256
from lgo_letters.schema import CouncilEntry
from lgo_letters.schema.mail import CASE_INSENSITIVE_MAILBOX_NAMES, plain_parts
from lgo_letters.schema.yaml_reader import read_yaml

ADDRESS_FIELDS = ("email", "cc")
_SHOWN = 3  # councils named in one message; the rest are counted


class Mailbox(NamedTuple):  # a tuple: made for each of a year's 40,000 addresses
    written: str  # as in the record
    wire: str  # as the envelope and headers carry it
    domain: str  # lower case, ASCII (IDNA)
    smtputf8: bool  # the local part is not ASCII: the server must offer SMTPUTF8

    @property
    def key(self) -> str:
        """What two spellings of the same address share."""
        return self.wire.casefold()


def _plain(address: str) -> Mailbox | None:
    """The Mailbox of a plain address (schema.mail), as validate_email would make it; None
    for any other (and for the names RFC 2142 makes case-insensitive, which validate_email
    lowers). Nearly every address is one: not put through email_validator again."""
    parts = plain_parts(address)
    if parts is None or parts[0].lower() in CASE_INSENSITIVE_MAILBOX_NAMES:
        return None
    local, domain = parts
    return Mailbox(address, f"{local}@{domain}", domain, smtputf8=False)


@functools.lru_cache(maxsize=4096)
def mailbox(address: str) -> Mailbox:
    """An address the records' validation has accepted, in the form it is sent in."""
    return _plain(address) or validated_mailbox(address)


def validated_mailbox(address: str) -> Mailbox:
    """The Mailbox of `address` as email_validator normalises it (any address)."""
    from email_validator import EmailNotValidError, validate_email  # (see schema/mail.py)

    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:  # validated records never get here
        raise ValueError(f"'{address}' is not an email address: {error}") from None
    domain = checked.ascii_domain.lower()
    if checked.ascii_email is not None:
        return Mailbox(address, checked.ascii_email, domain, smtputf8=False)
    return Mailbox(address, f"{checked.local_part}@{checked.domain}", domain, smtputf8=True)


def _shared_key(entry: str) -> tuple[str, str]:
    """('address', key) or ('domain', key) for an entry of year.yaml's shared_addresses."""
    if "@" in entry:
        return "address", mailbox(entry).key
    return "domain", mailbox(f"postmaster@{entry}").domain


@dataclass(frozen=True)
class Conflict:
    slug: str
    field: str  # email or cc
    index: int  # its place in that field's list
    address: str  # as written
    others: tuple[str, ...]  # the other councils' slugs
    by_domain: bool  # the same domain, not the same address

    def message(self, names: Mapping[str, str]) -> str:
        shown = [f"{names.get(o, o)} ({o})" for o in self.others[:_SHOWN]]
        if len(self.others) > _SHOWN:
            shown.append(f"{len(self.others) - _SHOWN} more")
        others = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
        if self.by_domain:
            domain = mailbox(self.address).domain
            verb = "has" if len(self.others) == 1 else "have"
            what = f"{self.address} is at {domain}, where {others} also {verb} addresses"
            shared = f"the domain {domain}"
        else:
            what = f"{self.address} is also the address of {others}"
            shared = "the address"
        return (
            f"{what}: a slip would send one council's letter to another; correct the "
            f"record, or list {shared} under shared_addresses in year.yaml if the councils "
            "share it"
        )


def address_conflicts(
    councils: Mapping[str, CouncilEntry], shared: Iterable[str]
) -> dict[str, list[Conflict]]:
    """Each council's addresses that another council's record also gives (or whose domain
    another's addresses are at), unless year.yaml lists them as shared; by slug."""
    allowed = {_shared_key(entry) for entry in shared}
    places: list[tuple[str, str, int, Mailbox, str]] = []
    by_address: dict[str, set[str]] = defaultdict(set)
    by_domain: dict[str, set[str]] = defaultdict(set)
    for slug, entry in councils.items():
        for field in ADDRESS_FIELDS:
            for index, address in enumerate(getattr(entry.record, field) or ()):
                box = mailbox(address)
                key = box.key
                places.append((slug, field, index, box, key))
                by_address[key].add(slug)
                by_domain[box.domain].add(slug)
    conflicts: dict[str, list[Conflict]] = defaultdict(list)
    for slug, field, index, box, key in places:
        # (Most addresses are one council's own: no set is made for them.)
        at_address, at_domain = by_address[key], by_domain[box.domain]
        if len(at_domain) == 1 or ("address", key) in allowed:
            continue
        others = sorted(at_address - {slug}) if len(at_address) > 1 else []
        by_domain_only = False
        if not others and ("domain", box.domain) not in allowed:
            others = sorted(at_domain - {slug})
            by_domain_only = True
        if others:
            conflicts[slug].append(
                Conflict(slug, field, index, box.written, tuple(others), by_domain_only)
            )
    return dict(conflicts)


class _ConflictsCache(JsonCache[dict[str, Any]]):
    """conflicts.json: a year's address conflicts ({slug: [Conflict's fields, ...]}) by
    what they were worked out from."""

    def holds(self, value: object) -> bool:
        return isinstance(value, dict)


def remembered_conflicts(
    councils: Mapping[str, CouncilEntry], shared: Iterable[str], folder: Path
) -> dict[str, list[Conflict]]:
    """address_conflicts, kept in <folder>/conflicts.json by all it is worked out from:
    each council's record as validated (its sha256, which covers its addresses), the
    shared addresses and this very code. `status` at 20,000 councils: a quarter of a
    second, when no record changed."""
    shared = list(shared)
    key = json_sha256([shared, [[slug, entry.sha256] for slug, entry in councils.items()]])
    cache = _ConflictsCache(
        folder / "conflicts.json", "conflicts", code_version("email-validator"), keep_unused=False
    )
    known = cache.get(key)
    if known is not None:
        try:
            return {slug: [_conflict(fields) for fields in found] for slug, found in known.items()}
        except (ValueError, TypeError, AttributeError):  # not of this code
            cache.forget(key)
    conflicts = address_conflicts(councils, shared)
    cache.put(key, {slug: [astuple(c) for c in found] for slug, found in conflicts.items()})
    cache.save()
    return conflicts


def _conflict(fields: list[Any]) -> Conflict:
    slug, field, index, address, others, by_domain = fields
    return Conflict(slug, field, index, address, tuple(others), by_domain)


def _position(file: Path, field: str, index: int) -> tuple[int | None, int | None]:
    try:
        return read_yaml(file).locate((field, index))
    except InputError:
        return None, None


def address_warnings(councils: Mapping[str, CouncilEntry], shared: Iterable[str]) -> list[Problem]:
    """The conflicts as warnings, each at its address in its record."""
    names = {slug: entry.record.name for slug, entry in councils.items()}
    warnings = []
    for slug, found in sorted(address_conflicts(councils, shared).items()):
        file = councils[slug].file
        for conflict in found:
            line, column = _position(file, conflict.field, conflict.index)
            warnings.append(Problem(file, line, column, conflict.field, conflict.message(names)))
    return warnings
