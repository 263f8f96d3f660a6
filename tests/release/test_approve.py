"""`approve`, `review` and `status` on real built letters of made-up councils."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
import yaml

from lgo_letters.errors import InputError
from tests.release import YEAR, change_record, lgo, rebuild

pytestmark = pytest.mark.slow  # builds letters (once a session)


def year_dir(root: Path) -> Path:
    return root / "data" / str(YEAR)


def sha256(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def status_rows(root: Path) -> dict[str, dict]:
    result = lgo(root, "status", "--json")
    assert result.code == 0, result.stderr
    return {row["council"]: row for row in json.loads(result.stdout)["councils"]}


def test_approve_all_records_the_built_files_and_refuses_the_draft(release_project: Path):
    result = lgo(release_project, "approve", "--all", "--by", "Jane Smith")

    assert result.code == 1  # one letter could not be approved
    assert "elsworth: not approved: it is a draft" in result.stderr
    approvals = yaml.safe_load((year_dir(release_project) / "approvals.yaml").read_text())
    assert sorted(approvals) == ["ashby", "barnfield", "carrow", "denholm", "fenwick", "ynys-mon"]
    out = release_project / "output" / str(YEAR)
    ashby = approvals["ashby"]
    assert ashby["by"] == "Jane Smith"
    assert ashby["pdf_sha256"] == sha256(out / "ashby.pdf")
    assert ashby["html_sha256"] == sha256(out / "ashby.html")
    manifest = json.loads((out / "manifest.json").read_text())
    assert ashby["inputs"]["input"] == manifest["councils"]["ashby"]["input"]
    kept = (year_dir(release_project) / "approved" / "ashby.txt").read_text()
    assert "Ashby District Council\n" in kept
    assert "50% of complaints we investigated were upheld.\n" in kept

    again = lgo(release_project, "approve", "ashby", "--by", "Someone Else")
    assert again.code == 0
    assert "ashby: already approved, unchanged" in again.stdout
    approvals = yaml.safe_load((year_dir(release_project) / "approvals.yaml").read_text())
    assert approvals["ashby"]["by"] == "Jane Smith"


def test_approve_refuses_a_letter_not_built_from_the_current_records(release_project: Path):
    change_record(release_project, "barnfield", investigations=11)

    result = lgo(release_project, "approve", "barnfield", "--by", "J")

    assert result.code == 1
    assert "barnfield: not approved: it was built from other inputs" in result.stderr
    assert not (year_dir(release_project) / "approvals.yaml").exists()


def test_approve_refuses_a_record_with_problems_and_unknown_councils(release_project: Path):
    change_record(release_project, "barnfield", upheld=50)  # more than investigations

    result = lgo(release_project, "approve", "barnfield", "--by", "J")
    assert result.code == 1
    assert "barnfield: not approved: it has problems:" in result.stderr
    assert "statistics.upheld" in result.stderr

    unknown = lgo(release_project, "approve", "nowhere", "--by", "J")
    assert unknown.code == 2
    assert "no council record for nowhere" in unknown.stderr
    assert lgo(release_project, "approve").code == 2  # neither councils nor --all


def test_a_changed_figure_undoes_the_approval_and_review_shows_the_sentences(
    release_project: Path,
):
    assert lgo(release_project, "approve", "barnfield", "--by", "J").code == 0
    assert status_rows(release_project)["barnfield"]["approval"] == "approved"

    change_record(release_project, "barnfield", investigations=8)  # 5 of 8 upheld: 63%
    row = status_rows(release_project)["barnfield"]
    assert row["approval"] == "changed since approval"
    assert row["build"] == "stale"
    record = year_dir(release_project) / "councils" / "barnfield.yaml"
    assert row["changes"] == [f"its record changed ({record})"]

    rebuild(release_project)  # the approved text is kept: review still works after a rebuild
    review = lgo(release_project, "review", "barnfield")
    assert review.code == 0
    lines = review.stdout.splitlines()
    assert lines[0].startswith("== barnfield (Barnfield District Council): approved by J")
    assert "-50% of complaints we investigated were upheld." in lines
    assert "+63% of complaints we investigated were upheld." in lines
    assert (
        "+Statistics are based on a total of 8 detailed investigations for the period "
        "between 1 April 2020 to 31 March 2021" in lines
    )
    assert not any(line.startswith("+") and "Dear" in line for line in lines)

    # Approving again makes it current; the new text replaces the kept one.
    assert lgo(release_project, "approve", "barnfield", "--by", "J").code == 0
    assert status_rows(release_project)["barnfield"]["approval"] == "approved"
    assert lgo(release_project, "review").stdout == ""


def test_a_changed_pooled_average_names_the_average(release_project: Path):
    """Carrow's figures change the county average Denholm's letter compares with."""
    assert lgo(release_project, "approve", "carrow", "denholm", "--by", "J").code == 0
    # Counties pool 27 upheld of 50 (54%); with Carrow's 20 upheld of 20: 35 of 50 (70%).
    change_record(release_project, "carrow", upheld=20, satisfactory_remedies=1)

    changes = status_rows(release_project)["denholm"]["changes"]
    assert changes == [
        "the similar-authority averages changed (upheld 54% → 70%, satisfactory remedy 7% → 6%)"
    ]


def test_a_template_edit_undoes_every_approval(release_project: Path):
    assert lgo(release_project, "approve", "ashby", "ynys-mon", "--by", "J").code == 0
    # status keeps each letter's HTML hash by its inputs; a template edit must still show.
    assert status_rows(release_project)["ashby"]["approval"] == "approved"
    assert (release_project / "output" / ".cache" / str(YEAR) / "letters.json").is_file()
    template = release_project / "templates" / "2021" / "letter.html.j2"
    template.write_text(template.read_text().replace("challenging year", "difficult year"))

    rows = status_rows(release_project)
    assert rows["ashby"]["changes"] == ["the templates changed"]
    assert rows["ynys-mon"]["changes"] == ["the templates changed"]
    review = lgo(release_project, "review")
    assert "+At the end of a difficult year," in review.stdout
    assert "2 letter(s) changed since approval" in review.stderr


def test_status_lines_summary_json_and_csv(release_project: Path):
    assert lgo(release_project, "approve", "--all", "--by", "Jane Smith").code == 1
    change_record(release_project, "ashby", complied=3)

    result = lgo(release_project, "status")
    assert result.code == 0
    lines = result.stdout.splitlines()
    assert lines[-1] == (
        "2021: 7 councils — 5 approved (5 without being opened in the review desk), "
        "1 changed since approval, 1 draft; 0 sent"
    )
    by_slug = {line.split(":")[0]: line for line in lines[:-1]}
    assert list(by_slug) == [
        "ashby", "barnfield", "carrow", "denholm", "elsworth", "fenwick", "ynys-mon"
    ]  # fmt: skip
    assert by_slug["elsworth"] == "elsworth: valid · draft · built · not approved · not sent"
    assert by_slug["barnfield"].startswith("barnfield: valid · built · approved (Jane Smith, ")
    assert "ashby: valid · stale · changed since approval: its record changed" in by_slug["ashby"]

    rows = status_rows(release_project)
    assert rows["barnfield"]["approved_by"] == "Jane Smith"
    assert rows["elsworth"]["draft"] is True

    table = lgo(release_project, "status", "--csv")
    parsed = list(csv.DictReader(io.StringIO(table.stdout)))
    assert [row["council"] for row in parsed] == list(rows)
    assert parsed[0]["approval"] == "changed since approval"


def test_status_names_a_damaged_approvals_file(release_project: Path):
    file = year_dir(release_project) / "approvals.yaml"
    file.write_text("ashby:\n  by: J\n  at: today\n  pdf_sha256: 12\n")

    result = lgo(release_project, "status")

    assert result.code == 1
    assert f"{file}:4:3: ashby.pdf_sha256: must be text, not 12" in result.stderr
    assert f"{file}:1:1: ashby.html_sha256: required field is missing" in result.stderr


def test_a_broken_year_file_is_reported_not_hidden(release_project: Path):
    year_file = year_dir(release_project) / "year.yaml"
    year_file.write_text(year_file.read_text().replace("2021-07-28", "soon"))

    for command in ("status", "approve", "send"):
        args = ("--all", "--by", "J") if command == "approve" else ()
        result = lgo(release_project, command, *args)
        assert result.code == 1, command
        assert f"{year_file}:2:1: publication_date: must be a date" in result.stderr


def test_review_of_an_approved_letter_whose_record_is_now_broken(release_project: Path):
    assert lgo(release_project, "approve", "ashby", "--by", "J").code == 0
    change_record(release_project, "ashby", upheld=99)

    review = lgo(release_project, "review", "ashby")

    assert review.code == 0
    assert "changed since: " in review.stdout and "statistics.upheld" in review.stdout
    assert "(the letter cannot be made now: " in review.stdout


def test_a_new_pdf_engine_is_named_as_the_reason(release_project: Path):
    """An approval made under another WeasyPrint, fonts or PDF code: the input hash and the
    engine hash it kept differ from today's."""
    from lgo_letters.project import Paths
    from lgo_letters.release.ledgers import load_approvals, write_approvals
    from lgo_letters.release.state import year_state

    assert lgo(release_project, "approve", "ashby", "--by", "J").code == 0
    folder = year_dir(release_project)
    approval = load_approvals(folder)["ashby"]
    older = approval.inputs.model_copy(update={"input": "0" * 64, "engine": "1" * 64})
    write_approvals(folder, {"ashby": approval.model_copy(update={"inputs": older})})

    paths = Paths(
        release_project / "data", release_project / "templates", release_project / "output"
    )
    state = year_state(paths, YEAR).letters["ashby"]
    assert state.changes == ("the PDF engine changed (package versions, fonts or PDF code)",)
    assert not state.approved


def test_a_letter_never_built_as_pdf_is_not_approved(release_project: Path):
    from tests.records import council
    from tests.release import write_record

    write_record(year_dir(release_project) / "councils" / "galloway.yaml", council())
    assert lgo(release_project, "build", "--only", "galloway", "--format", "html").code == 0

    result = lgo(release_project, "approve", "galloway", "--by", "J")

    assert result.code == 1
    assert "galloway: not approved: it is not built (PDF and HTML): build it first" in (
        result.stderr
    )
    assert status_rows(release_project)["galloway"]["build"] == "not built"


def test_status_csv_guards_formulas_as_export_does(release_project: Path):
    from tests.release import write_record

    file = year_dir(release_project) / "councils" / "ashby.yaml"
    record = yaml.safe_load(file.read_text())
    record["name"] = '=HYPERLINK("http://x.example","Ashby")'
    write_record(file, record)

    table = lgo(release_project, "status", "--csv")

    assert table.code == 0, table.stderr
    rows = {row["council"]: row for row in csv.DictReader(io.StringIO(table.stdout))}
    assert rows["ashby"]["name"] == "'" + record["name"]  # shown as text, never run
    assert rows["barnfield"]["name"] == "Barnfield District Council"


def history_of(root: Path) -> list[tuple[str, str]]:
    log = yaml.safe_load((year_dir(root) / "approvals-log.yaml").read_text("utf-8"))
    return [(entry["action"], entry["council"]) for entry in log["log"]]


def test_an_approvals_log_ending_in_a_yaml_end_marker_gets_its_entries_before_it(
    release_project: Path,
):
    """approvals-log.yaml is appended to as sent.yaml is: before a `...` a person left at
    its end (else status, approve and the desk could not read the year any more), and a
    log laid out by hand is written afresh with every entry kept."""
    log = year_dir(release_project) / "approvals-log.yaml"
    assert lgo(release_project, "approve", "ashby", "--by", "J").code == 0
    log.write_text(log.read_text("utf-8") + "...\n", "utf-8")

    assert lgo(release_project, "approve", "barnfield", "--by", "J").code == 0
    assert lgo(release_project, "unapprove", "ashby", "--reason", "queried").code == 0

    assert "\n...\n" not in log.read_text("utf-8")
    assert lgo(release_project, "status").code == 0
    assert history_of(release_project) == [
        ("approve", "ashby"), ("approve", "barnfield"), ("unapprove", "ashby")
    ]  # fmt: skip
    # A layout an entry cannot just be added to (the list in flow style): written afresh.
    entries = yaml.safe_load(log.read_text("utf-8"))["log"]
    log.write_text("# by hand\nlog: " + json.dumps(entries) + "\n", "utf-8")
    assert lgo(release_project, "approve", "carrow", "--by", "J").code == 0
    assert history_of(release_project)[-2:] == [("unapprove", "ashby"), ("approve", "carrow")]
    assert lgo(release_project, "review", "carrow").code == 0


def test_a_record_that_cannot_be_read_shows_no_address_change(release_project: Path):
    """While a record has problems its addresses are unknown, not gone: status and review
    must not say `email ceo@… → none`."""
    assert lgo(release_project, "approve", "ashby", "--by", "J").code == 0
    change_record(release_project, "ashby", upheld=99)  # more upheld than investigated

    status = lgo(release_project, "status")
    review = lgo(release_project, "review")

    assert status.code == 0 and review.code == 0
    ashby = next(line for line in status.stdout.splitlines() if line.startswith("ashby: "))
    assert "changed since approval" in ashby
    assert "addresses changed" not in ashby and "→ none" not in ashby
    assert status_rows(release_project)["ashby"]["address_changes"] == []
    assert "addresses changed since its approval" not in review.stdout


def test_approvals_remembered_in_process_are_what_the_file_reads_as(release_project: Path):
    """load_approvals keeps approvals.yaml as last read or written, by its bytes' sha256
    (the review desk reads it at every approval): what it remembers after a write is what
    the file reads as afresh, and a file changed by anyone else is read again."""
    from lgo_letters.release import ledgers

    lgo(release_project, "approve", "--all", "--by", "A. Reviewer")
    folder = year_dir(release_project)
    ledgers._approvals_by_content.clear()
    approvals = ledgers.load_approvals(folder)
    assert approvals
    ledgers.write_approvals(folder, approvals)
    remembered = ledgers.load_approvals(folder)
    ledgers._approvals_by_content.clear()
    afresh = ledgers.load_approvals(folder)
    assert {slug: a.model_dump() for slug, a in remembered.items()} == {
        slug: a.model_dump() for slug, a in afresh.items()
    }
    assert list(remembered) == list(afresh)

    file = folder / "approvals.yaml"
    file.write_text(file.read_text().replace("A. Reviewer", "B. Someone Else", 1))
    changed = ledgers.load_approvals(folder)
    assert "B. Someone Else" in {a.by for a in changed.values()}
    file.write_text(file.read_text() + "oops: [\n")
    with pytest.raises(InputError):
        ledgers.load_approvals(folder)
