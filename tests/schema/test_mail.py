"""Plain addresses are accepted without email_validator (schema/mail.py): only those it
accepts too, so a record's addresses are checked exactly as before, at a fraction of the cost."""

from __future__ import annotations

import random

import pytest
from email_validator import (
    SPECIAL_USE_DOMAIN_NAMES,
    EmailNotValidError,
    rfc_constants,
    validate_email,
)

from lgo_letters.schema import mail
from lgo_letters.schema.mail import plain_parts
from lgo_letters.schema.models import check_address_or_domain, check_email_address


def _generated(count: int, seed: int) -> list[str]:
    """Addresses near the edges of what is plain: special-use and numeric top-level
    domains, labels and parts at and over their lengths, hyphens and dots out of place."""
    rng = random.Random(seed)
    letters = ["a", "B", "z", "0", "9", "x", "n"]
    pieces = [*letters * 12, ".", "-", "--", "_", "+", "=", "xn--", "ô", "'", "!", " ", "@"]
    tlds = (
        ["uk"] * 12
        + ["example"] * 6
        + ["test", "local", "localhost", "invalid", "arpa", "onion", "c0m"]
    )
    tlds += ["123", "x", "TEST", "Local", "org-", "-org"]
    addresses = []
    for _ in range(count):
        local = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        if rng.random() < 0.05:
            local = "l" * rng.randint(60, 70)
        labels = [
            "".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
            for _ in range(rng.randint(0, 3))
        ]
        if rng.random() < 0.05:
            labels.append("d" * rng.randint(60, 66))
        if rng.random() < 0.05:
            labels.extend(["e" * 60] * 4)  # a domain near 253 characters, an address near 254
        addresses.append(f"{local}@{'.'.join([*labels, rng.choice(tlds)])}")
    return addresses


EDGES = [
    "chief.executive@dartford.gov.uk",
    "a@council.test",
    "a@council.TEST",
    "a@localhost",
    "a@council.local",
    "a@example.arpa",
    "a@b.onion",
    "a@b.invalid",
    "a@b.123",
    "a@b",
    f"{'x' * 64}@ashby.example",
    f"{'x' * 65}@ashby.example",
    f"a@{'b' * 63}.example",
    f"a@{'b' * 64}.example",
    f"a@{'.'.join(['c' * 63] * 3)}.{'d' * 61}",  # 253 characters after the @
    f"a@{'.'.join(['c' * 63] * 3)}.{'d' * 62}",  # 254
    f"{'x' * 62}@{'.'.join(['c' * 60] * 3)}.{'d' * 9}",  # 254 in all
    f"{'x' * 63}@{'.'.join(['c' * 60] * 3)}.{'d' * 9}",  # 255 in all
]


def test_the_limits_are_email_validators():
    for name in ("EMAIL_MAX_LENGTH", "LOCAL_PART_MAX_LENGTH", "DOMAIN_MAX_LENGTH"):
        assert getattr(mail, name) == getattr(rfc_constants, name), name
    assert mail.DOMAIN_NAME_REGEX.pattern == rfc_constants.DOMAIN_NAME_REGEX.pattern
    assert set(mail.SPECIAL_USE_DOMAIN_NAMES) == set(SPECIAL_USE_DOMAIN_NAMES)
    assert set(rfc_constants.CASE_INSENSITIVE_MAILBOX_NAMES) == mail.CASE_INSENSITIVE_MAILBOX_NAMES


def test_a_plain_address_is_one_email_validator_accepts_with_the_same_domain():
    accepted = refused = 0
    for address in EDGES + _generated(6000, seed=25):
        parts = plain_parts(address)
        try:
            checked = validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            assert parts is None, f"{address!r} taken as plain but email_validator refuses it"
            refused += 1
            continue
        if parts is not None:
            assert parts[1] == checked.ascii_domain.lower(), address
            accepted += 1
    # Both kinds were met: the check above can fail either way.
    assert accepted > 1000
    assert refused > 1000


@pytest.mark.parametrize(
    "address", ["a@council.test", "a@b.123", f"{'x' * 63}@{'.'.join(['c' * 60] * 3)}.{'d' * 9}"]
)
def test_an_address_email_validator_refuses_is_refused_in_its_words(address: str):
    with pytest.raises(ValueError, match="is not an email address") as refused:
        check_email_address(address)
    with pytest.raises(EmailNotValidError) as original:
        validate_email(address, check_deliverability=False)
    reason = str(original.value).rstrip(".")
    assert reason[1:] in str(refused.value)


def test_a_shared_domain_is_checked_as_an_address_at_it_would_be():
    assert check_address_or_domain("Dartford.gov.uk") == "Dartford.gov.uk"
    with pytest.raises(ValueError, match="neither an email address nor a mail domain"):
        check_address_or_domain("council.local")
