"""Plain email addresses, known valid without email_validator's Unicode machinery.

Nearly every address in a record is plain: a dot-atom of ASCII letters, digits and
`_+=-` before the @, and ASCII labels of letters, digits and inner hyphens after it (none
with "--", so no IDNA `xn--` label, which email_validator decodes). For such an address
email_validator's answer depends only on lengths and on the domain's last label and
special-use names; it takes most of a millisecond an address to get there (20,000
councils' 40,000 addresses: seconds), this a few microseconds. Any other address is left
to email_validator, so what it refuses is still refused, in its words.
tests/schema/test_mail.py checks the two agree on many generated addresses.

The limits below are email_validator's own (the test checks each against it): they are
written out so that a command whose addresses are all plain never imports it (a twentieth
of a second, which a command on a small year notices).
"""

from __future__ import annotations

import re

# RFC 5321 and 1035, as email_validator.rfc_constants has them.
EMAIL_MAX_LENGTH = 254
LOCAL_PART_MAX_LENGTH = 64
DOMAIN_MAX_LENGTH = 253
DOMAIN_NAME_REGEX = re.compile(r"[A-Za-z]\Z")  # every top-level domain ends with a letter
# Domains no mail is delivered to (email_validator.SPECIAL_USE_DOMAIN_NAMES).
SPECIAL_USE_DOMAIN_NAMES = ("arpa", "invalid", "local", "localhost", "onion", "test")
# RFC 2142's mailbox names, which email_validator lowers (rfc_constants).
CASE_INSENSITIVE_MAILBOX_NAMES = frozenset(
    {
        *("info", "marketing", "sales", "support", "abuse", "noc", "security", "postmaster"),
        *("hostmaster", "usenet", "news", "webmaster", "www", "uucp", "ftp"),
    }
)

_PLAIN_LOCAL = r"[A-Za-z0-9_+=-]+(?:\.[A-Za-z0-9_+=-]+)*"
_PLAIN_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN_ADDRESS = re.compile(rf"({_PLAIN_LOCAL})@({_PLAIN_LABEL}(?:\.{_PLAIN_LABEL})+)")


def plain_parts(address: str) -> tuple[str, str] | None:
    """The part before the @ and the domain (lower case) of a plain address that
    email_validator accepts; None for any other address, valid or not."""
    matched = _PLAIN_ADDRESS.fullmatch(address)
    if matched is None or len(address) > EMAIL_MAX_LENGTH:
        return None
    local, domain = matched.groups()
    domain = domain.lower()
    if (
        "--" in domain
        or len(local) > LOCAL_PART_MAX_LENGTH
        or len(domain) > DOMAIN_MAX_LENGTH
        or not DOMAIN_NAME_REGEX.search(domain)  # a top-level domain ends with a letter
        or _special_use(domain)
    ):
        return None
    return local, domain


_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_SPECIAL_USE_ENDINGS = tuple(f".{name}" for name in SPECIAL_USE_DOMAIN_NAMES)


def _special_use(domain: str) -> bool:
    """A special-use or reserved name (`.test`, `.local`, `localhost` ...): refused."""
    return domain in _SPECIAL_USE or domain.endswith(_SPECIAL_USE_ENDINGS)
