"""Who a letter goes to, checked before anything is sent: an address two councils share,
a line break in a field that reaches an email header, addresses beyond ASCII, and the
recipients' names in To. (`send` holding letters back is tested in test_send_bounds.py.)"""

from __future__ import annotations

import datetime as dt
import email
import random
from email import policy
from pathlib import Path

import yaml

from lgo_letters.context.letter import Correction, SentenceChange
from lgo_letters.project import Paths, prepare_year
from lgo_letters.release.addresses import (
    address_conflicts,
    mailbox,
    remembered_conflicts,
    validated_mailbox,
)
from lgo_letters.release.message import letter_message
from lgo_letters.schema.models import Sender
from tests.errorcases import invoke
from tests.records import council, council_yaml, write_council


def validate(*args: str) -> tuple[int, str]:
    result = invoke("validate", "2021", *args, "--data", "data", "--templates", "templates")
    return result.code, result.stderr


def set_year(project: Path, **fields: object) -> Path:
    file = project / "data" / "2021" / "year.yaml"
    record = yaml.safe_load(file.read_text())
    record.update(fields)
    file.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True))
    return file


def test_an_address_of_another_council_is_a_warning_and_strict_fails(in_project: Path):
    write_council(in_project, "ashby", council(name="Ashby DC", email="ceo@ashby.example"))
    write_council(
        in_project,
        "barnfield",
        council(name="Barnfield DC", email="ceo@barnfield.example", cc=["ceo@ashby.example"]),
    )

    code, stderr = validate()
    assert code == 0, stderr
    # Each council's record is told, at the address (email on line 11; cc a list on 12).
    assert (
        "warning: data/2021/councils/ashby.yaml:11:1: email: ceo@ashby.example is also the "
        "address of Barnfield DC (barnfield)" in stderr
    )
    assert (
        "warning: data/2021/councils/barnfield.yaml:12:6: cc: ceo@ashby.example is also the "
        "address of Ashby DC (ashby)" in stderr
    )
    assert "list the address under shared_addresses in year.yaml" in stderr

    strict, stderr = validate("--strict")
    assert strict == 1
    assert "error (--strict): data/2021/councils/ashby.yaml:11:1: email:" in stderr


def test_a_domain_of_another_council_is_a_warning_until_listed_as_shared(in_project: Path):
    write_council(in_project, "ashby", council(name="Ashby DC", email="ceo@ashby.example"))
    write_council(
        in_project,
        "denholm",
        council(name="Denholm CC", email="ceo@denholm.example", cc=["someone@ashby.example"]),
    )
    code, stderr = validate("--strict")
    assert code == 1
    assert (
        "cc: someone@ashby.example is at ashby.example, where Ashby DC (ashby) also has "
        "addresses" in stderr
    )

    set_year(in_project, shared_addresses=["ashby.example"])
    code, stderr = validate("--strict")
    assert code == 0, stderr


def test_a_shared_address_listed_in_year_yaml_is_no_warning(in_project: Path):
    for slug in ("adur", "worthing"):
        write_council(
            in_project, slug, council(name=f"{slug} DC", email=f"ceo@{slug}.example",
                                      cc=["democratic.services@adur-worthing.example"])
        )  # fmt: skip
    code, stderr = validate("--strict")
    assert code == 1 and "democratic.services@adur-worthing.example is also" in stderr

    set_year(in_project, shared_addresses=["democratic.services@adur-worthing.example"])
    code, stderr = validate("--strict")
    assert code == 0, stderr

    set_year(in_project, shared_addresses=["not a domain"])
    code, stderr = validate()
    assert code == 1
    assert "data/2021/year.yaml:" in stderr and "shared_addresses[0]: 'not a domain' is " in (
        stderr
    )
    assert "is neither an email address nor a mail domain" in stderr


def test_line_breaks_in_fields_that_reach_headers_are_refused_where_they_are(in_project: Path):
    """A council's name (the subject), a recipient (To) and the sender's name (From)."""
    record = council(name="Ashby District\nCouncil", recipients=["Ms Example", "Mr\nRoe"])
    write_council(in_project, "ashby", record)
    set_year(in_project, sender={"name": "LGSCO\nBcc: everyone@example.org",
                                 "address": "a@lgo.example"})  # fmt: skip

    code, stderr = validate()

    assert code == 1
    assert "data/2021/councils/ashby.yaml:1:1: name: holds a line break" in stderr
    assert "data/2021/councils/ashby.yaml:5:26: recipients[1]: holds a line break" in stderr
    assert "data/2021/year.yaml:" in stderr and "sender.name: holds a line break" in stderr
    # Elsewhere a line break is fine: a comment is a paragraph.
    write_council(in_project, "ashby", council(comments=["One.\nTwo."]))
    set_year(in_project, sender={"name": "LGSCO", "address": "a@lgo.example"})
    code, stderr = validate()
    assert code == 0, stderr


def test_mailbox_forms_idna_and_smtputf8():
    ascii_local = mailbox("prif.weithredwr@ynysmôn.example")
    assert ascii_local.wire == "prif.weithredwr@xn--ynysmn-mxa.example"
    assert not ascii_local.smtputf8
    unicode_local = mailbox("prif.weithredŵr@ynysmon.example")
    assert unicode_local.smtputf8
    assert unicode_local.wire == "prif.weithredŵr@ynysmon.example"
    # Two spellings of one domain are one domain.
    assert mailbox("a@YnysMôn.example").domain == ascii_local.domain


def test_every_address_is_sent_as_email_validator_gives_it():
    """mailbox() takes plain addresses without email_validator (it costs most of a
    millisecond an address): for every address it accepts, the same form."""
    rng = random.Random(25)
    plain = ["a", "b", "Q", "Z", "0", "9"]
    pieces = [*plain * 6, ".", "-", "_", "+", "=", "xn--", "--", "ô", "ŵ", "'", "!", "info"]
    addresses = [
        "Chief.Executive@Dartford.GOV.UK",
        "POSTMASTER@ashby.example",
        "Info@ashby.example",
        "a@xn--ynysmn-mxa.example",
        "a@ynysmôn.example",
        "a@b.c0m",
        "a..b@ashby.example",
        ".a@ashby.example",
        "a@-b.example",
        "a@b-.example",
        f"{'x' * 64}@ashby.example",
        f"{'x' * 65}@ashby.example",
        f"a@{'b' * 63}.example",
        f"a@{'b' * 64}.example",
    ]
    for _ in range(3000):
        local = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        labels = [
            "".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
            for _ in range(rng.randint(1, 3))
        ]
        tld = rng.choice(["example", "UK", "c0m", "x"])
        addresses.append(f"{local}@{'.'.join([*labels, tld])}")
    compared = 0
    for address in addresses:
        try:
            expected = validated_mailbox(address)
        except ValueError:
            continue  # not an address: the records' validation refuses it
        assert mailbox(address) == expected, address
        compared += 1
    assert compared > 1000


def _entries(project: Path) -> dict:
    prepared = prepare_year(Paths(project / "data", project / "templates"), 2021)
    return prepared.records.councils


def test_conflicts_name_every_other_council_and_count_the_rest(project: Path):
    for index in range(6):
        record = council(name=f"Council {index}", email=f"ceo{index}@shared.example")
        (project / "data/2021/councils" / f"c{index}.yaml").write_text(council_yaml(record))
    conflicts = address_conflicts(_entries(project), [])
    (first,) = conflicts["c0"]
    assert first.by_domain and first.others == ("c1", "c2", "c3", "c4", "c5")
    names = {f"c{i}": f"Council {i}" for i in range(6)}
    assert "Council 1 (c1), Council 2 (c2), Council 3 (c3) and 2 more also have" in (
        first.message(names)
    )
    assert address_conflicts(_entries(project), ["SHARED.example"]) == {}


def test_conflicts_remembered_are_those_worked_out_afresh(project: Path, tmp_path: Path):
    cache = tmp_path / "cache"

    def both(shared: list[str]) -> tuple[dict, dict]:
        entries = _entries(project)
        return remembered_conflicts(entries, shared, cache), address_conflicts(entries, shared)

    for index in range(3):
        record = council(name=f"Council {index}", email=f"ceo{index}@shared.example")
        (project / "data/2021/councils" / f"c{index}.yaml").write_text(council_yaml(record))
    first, afresh = both([])
    assert first == afresh and set(first) == {"c0", "c1", "c2"}
    assert (cache / "conflicts.json").is_file()
    remembered, _ = both([])
    assert remembered == afresh
    assert both(["shared.example"]) == ({}, {})  # what year.yaml shares is part of the key
    record = council(name="Council 2", email="ceo@council2.example")
    (project / "data/2021/councils/c2.yaml").write_text(council_yaml(record))
    changed, afresh = both([])  # so is every record as validated
    assert changed == afresh and set(changed) == {"c0", "c1"}


def _message(project: Path, emails: list[str], recipients: list[str], **kw):
    paths = Paths(project / "data", project / "templates")
    write_council(project, "ashby", council(name="Ashby DC", email=emails, recipients=recipients))
    prepared = prepare_year(paths, 2021)
    sender = Sender(name="LGSCO", address="annual.review@lgo.example")
    now = dt.datetime(2021, 7, 22, 9, tzinfo=dt.UTC)
    letter = prepared.letters["ashby"]
    return letter_message(prepared.templates, letter, sender, emails, [], b"%PDF", now, **kw)


def test_to_carries_each_recipients_name_in_order(project: Path):
    message = _message(project, ["ceo@ashby.example", "deputy@ashby.example"], ["Mrs Jolly"])
    parsed = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed["To"] == "Mrs Jolly <ceo@ashby.example>, deputy@ashby.example"
    assert message.as_bytes().isascii()


def test_the_outbox_message_of_a_non_ascii_address_is_well_formed(project: Path):
    """IDNA for the domain; an internationalised (UTF-8) message for a local part beyond
    ASCII, never an encoded word inside an address."""
    idna = _message(project, ["prif.weithredwr@ynysmôn.example"], ["Mr Llŷr"]).as_bytes()
    assert idna.isascii()
    parsed = email.message_from_bytes(idna, policy=policy.default)
    assert parsed["To"].addresses[0].addr_spec == "prif.weithredwr@xn--ynysmn-mxa.example"
    assert parsed["To"].addresses[0].display_name == "Mr Llŷr"
    assert not parsed["To"].defects

    utf8 = _message(project, ["prif.weithredŵr@ynysmon.example"], ["Mr Llŷr"]).as_bytes()
    to_line = next(line for line in utf8.splitlines() if line.startswith(b"To:"))
    assert to_line == "To: Mr Llŷr <prif.weithredŵr@ynysmon.example>".encode()
    assert b"=?utf-8?" not in to_line


def test_a_correction_says_so_in_its_subject_and_note(project: Path):
    change = SentenceChange(
        "50% of complaints we investigated were upheld.",
        "63% of complaints we investigated were upheld.",
    )
    correction = Correction(dt.date(2021, 7, 22), (change, SentenceChange("", "A new one.")))
    message = _message(project, ["ceo@ashby.example"], ["Ms Example"], correction=correction)
    assert message["Subject"] == "Corrected: Annual Review letter 2021 – Ashby DC"
    note = message.get_body(("plain",)).get_content()
    assert "corrected version of the annual review letter we sent you on 22 July 2021" in note
    assert (
        '- "50% of complaints we investigated were upheld." now reads "63% of complaints '
        'we investigated were upheld."' in note
    )
    assert '- Added: "A new one."' in note
