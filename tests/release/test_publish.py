"""`lgo-letters publish YEAR --to DIR` on real built letters of made-up councils: the bundle
in DIR/YEAR/, its public figures, the files it must never replace, years side by side, and
a publish stopped at every point."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from lgo_letters import output
from lgo_letters.output import is_own_temporary
from lgo_letters.release.bundle import RECORD
from lgo_letters.schema.models import CORE_FIELDS
from tests.errorcases import Run, invoke
from tests.helpers import REPO
from tests.release import (
    COUNCILS,
    YEAR,
    change_record,
    folders,
    lgo,
    make_publishable,
    write_record,
)
from tests.years import FACTS

pytestmark = pytest.mark.slow  # builds letters (once a session)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.lang = None
        self.generator = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            self.links.append(attributes["href"])
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "meta" and attributes.get("name") == "generator":
            self.generator = attributes.get("content")


def figures_csv(bundle: Path) -> list[dict[str, str]]:
    text = (bundle / f"annual-review-figures-{YEAR}.csv").read_text("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of the folder (its own temporary files left out), by name."""
    return {
        p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not is_own_temporary(p)
    }


def test_the_bundle_has_every_letter_the_figures_and_an_index(release_project: Path):
    make_publishable(release_project)

    result = lgo(release_project, "publish", "--to", str(release_project / "site"))

    assert result.code == 0, result.stderr
    bundle = release_project / "site" / str(YEAR)  # DIR/<year>/
    out = release_project / "output" / str(YEAR)
    for slug in COUNCILS:
        for suffix in (".pdf", ".html"):
            published = bundle / f"{slug}-annual-review-letter-{YEAR}{suffix}"
            assert published.read_bytes() == (out / f"{slug}{suffix}").read_bytes()

    rows = figures_csv(bundle)
    # By the name as people look for it: "Cyngor Sir Ynys Môn" under C.
    assert [row["name"] for row in rows] == [
        "Ashby District Council",
        "Barnfield District Council",
        "Carrow County Council",
        "Cyngor Sir Ynys Môn",
        "Denholm County Council",
        "Elsworth District Council",
        "Fenwick District Council",
    ]
    ashby = rows[0]
    assert (ashby["investigations"], ashby["upheld"], ashby["upheld_percent"]) == ("10", "5", "50")
    assert ashby["upheld_average"] == "53"
    assert ashby["pdf_file"] == f"ashby-annual-review-letter-{YEAR}.pdf"
    figures = json.loads((bundle / f"annual-review-figures-{YEAR}.json").read_text())
    assert [row["name"] for row in figures["councils"]] == [row["name"] for row in rows]

    index = (bundle / "index.html").read_text()
    links = _Links()
    links.feed(index)
    assert links.lang == "en-GB" and links.generator == "lgo-letters publish"
    assert "<main>" in index and '<th scope="col">' in index
    assert all((bundle / link).is_file() for link in links.links)
    # The two figures files, and each letter once as a web page and once as a PDF.
    assert len(links.links) == len(set(links.links)) == 2 + 2 * len(COUNCILS)
    assert '<a href="ynys-mon-annual-review-letter-2021.html">Cyngor Sir Ynys Môn</a>' in index
    assert "Cyngor Sir Ynys Môn: letter, </span>PDF, " in index
    assert index.index("Ashby District Council") < index.index("Barnfield District Council")
    # Its own record of the folder, and nothing else of publish's there.
    record = json.loads((bundle / RECORD).read_text())
    assert record["writing"] is None and sorted(record["files"]) == sorted(
        p.name for p in bundle.iterdir() if p.name != RECORD
    )

    status = lgo(release_project, "status")
    assert status.stdout.splitlines()[-1].endswith(f"; 0 sent, {len(COUNCILS)} published")


# What the public figures hold for a 2021 letter, column by column: which council, every
# count and rate templates/2021/format.yaml declares with the similar-authority averages,
# and the letter's files. Nothing else may reach the bundle.
PUBLIC_2021 = [
    "name",
    "code",
    "type",
    "investigations",
    "upheld",
    "satisfactory_remedies",
    "compliance_outcomes",
    "complied",
    "late_remedies",
    "training_courses",
    "upheld_percent",
    "compliance_percent",
    "satisfactory_remedy_percent",
    "upheld_average",
    "compliance_average",
    "satisfactory_remedy_average",
    "html_file",
    "pdf_file",
]
# The record fields among them, besides the counts.
PUBLIC_RECORD_FIELDS = {"name", "code", "type", "statistics"}


def test_the_public_figures_hold_the_public_columns_and_nothing_else(release_project: Path):
    # Every field a record can have that is not public, with a value to look for.
    private = {
        "recipients": ["Ms Zuleika Privett", "Mr Quentin Hushby"],
        "role": "Head of Unpublished Matters",
        "salutation": "Dear Zuleika and Quentin",
        "email": "zuleika.privett@ashby.example",
        "cc": ["quentin.hushby@ashby.example"],
        "comments": ["A paragraph only the letter itself carries, never the figures."],
        "late_remedies_detail": "Sentences about late remedies that the letter alone prints.",
        "sort_name": "Ashby-under-Privett",
        "checked": {"upheld_percent": "A reason the Ombudsman's staff alone have read"},
    }
    record_file = release_project / "data" / str(YEAR) / "councils" / "ashby.yaml"
    record = {**yaml.safe_load(record_file.read_text("utf-8")), **private, "late_remedies": 1}
    write_record(record_file, record)
    assert lgo(release_project, "build").code == 0
    make_publishable(release_project)
    url = "https://www.ombudsman.example/annual-review-letters/"

    result = lgo(
        release_project, "publish", "--to", str(release_project / "site"), "--base-url", url
    )

    assert result.code == 0, result.stderr
    bundle = release_project / "site" / str(YEAR)
    expected = [*PUBLIC_2021, "html_url", "pdf_url"]
    rows = figures_csv(bundle)
    assert list(rows[0]) == expected
    figures = json.loads((bundle / f"annual-review-figures-{YEAR}.json").read_text("utf-8"))
    assert [column["name"] for column in figures["columns"]] == expected
    assert all(list(row) == expected for row in figures["councils"])
    ashby = next(row for row in figures["councils"] if row["name"] == "Ashby District Council")
    assert ashby["late_remedies"] == 1
    assert ashby["pdf_url"] == f"{url}{YEAR}/ashby-annual-review-letter-{YEAR}.pdf"
    # The list is every count and rate of the year's format: none left out, none added.
    format_file = release_project / "templates" / "2021" / "format.yaml"
    declared = yaml.safe_load(format_file.read_text("utf-8"))
    fields = declared["fields"]
    counts = [*declared["statistics"], *(n for n, s in fields.items() if s["type"] == "count")]
    rates = declared["averages"]
    assert PUBLIC_2021[3:-2] == [
        *counts,
        *(f"{rate}_percent" for rate in rates),
        *(f"{rate}_average" for rate in rates),
    ]

    # No value of a field off the list reaches the figures or the index.
    public_files = [bundle / f"annual-review-figures-{YEAR}{s}" for s in (".csv", ".json")]
    public_text = "\n".join(f.read_text("utf-8") for f in [*public_files, bundle / "index.html"])
    # Every field a 2021 record can have is public, or given a value above (or the flag).
    every_field = CORE_FIELDS | set(fields)
    assert every_field - PUBLIC_RECORD_FIELDS - set(counts) - {"draft"} == set(private)
    for field, value in private.items():
        for text in _texts(value):
            assert text not in public_text, f"{field} reached the bundle"
    for field in ("slug", "recipients", "email", "draft", "averages", "pdf_sha256"):
        assert field not in rows[0]
    assert not re.search(r"\b[0-9a-f]{64}\b", public_text)  # no sha256 of any file
    assert "draft" not in public_text.casefold()


def _texts(value: object) -> list[str]:
    """The texts in a record's value: itself, a list's items, a mapping's values."""
    if isinstance(value, dict):
        return [str(v) for v in value.values()]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def test_a_base_url_that_is_not_an_address_is_refused(release_project: Path):
    make_publishable(release_project)
    for url in ("www.ombudsman.example/letters", "ftp://ombudsman.example/", "https://x/?a=1"):
        result = lgo(release_project, "publish", "--to", "site", "--base-url", url)
        assert result.code == 2
        assert f"--base-url {url}: give the address DIR is served at" in result.stderr


def test_the_same_inputs_give_the_same_bytes(release_project: Path):
    make_publishable(release_project)

    assert lgo(release_project, "publish", "--to", str(release_project / "one")).code == 0
    assert lgo(release_project, "publish", "--to", str(release_project / "two")).code == 0
    one, two = (snapshot(release_project / folder / str(YEAR)) for folder in ("one", "two"))
    assert one == two


def test_drafts_and_unapproved_letters_stop_the_whole_bundle(release_project: Path):
    assert lgo(release_project, "approve", "ashby", "barnfield", "--by", "J").code == 0
    change_record(release_project, "barnfield", investigations=8)
    site = release_project / "site"

    result = lgo(release_project, "publish", "--to", str(site))

    assert result.code == 1
    assert "elsworth: it is a draft" in result.stderr
    assert "carrow: it is not approved" in result.stderr
    assert "barnfield: it changed since its approval: its record changed" in result.stderr
    assert "ashby:" not in result.stderr
    assert "nothing published: 6 letter(s) cannot go out" in result.stderr
    assert not site.exists()


def test_a_warning_before_the_publication_date(release_project: Path):
    year_file = release_project / "data" / str(YEAR) / "year.yaml"
    record = yaml.safe_load(year_file.read_text())
    record["publication_date"] = record["publication_date"].replace(year=2999)
    year_file.write_text(yaml.safe_dump(record))
    assert lgo(release_project, "build").code == 0  # the letters print the date
    make_publishable(release_project)

    result = lgo(release_project, "publish", "--to", str(release_project / "site"))

    assert result.code == 0, result.stderr
    assert "warning: publishing before the publication date, 28 July 2999" in result.stderr


def test_a_broken_index_template_writes_nothing(release_project: Path):
    make_publishable(release_project)
    template = release_project / "templates" / "publish" / "index.html.j2"
    template.write_text(template.read_text().replace("{{ year }}", "{{ year.missing }}", 1))
    site = release_project / "site"

    result = lgo(release_project, "publish", "--to", str(site))

    assert result.code == 1
    assert f"{template}: " in result.stderr and "nothing published" in result.stderr
    assert not site.exists()


def test_a_letter_whose_council_is_gone_is_named_not_deleted(release_project: Path):
    make_publishable(release_project)
    site = release_project / "site"
    assert lgo(release_project, "publish", "--to", str(site)).code == 0
    (release_project / "data" / str(YEAR) / "councils" / "carrow.yaml").unlink()
    assert lgo(release_project, "build").code == 0
    # Pooled averages may have moved with it: the changed letters are approved again.
    assert lgo(release_project, "approve", "--all", "--by", "Jane Smith").code == 0

    result = lgo(release_project, "publish", "--to", str(site))

    assert result.code == 0, result.stderr
    bundle = site / str(YEAR)
    gone = [f"carrow-annual-review-letter-{YEAR}{suffix}" for suffix in (".html", ".pdf")]
    assert f"also holds letters of {YEAR} that this bundle does not" in result.stderr
    assert f"left as they are: {', '.join(gone)};" in result.stderr
    assert all((bundle / name).is_file() for name in gone)
    figures = (bundle / f"annual-review-figures-{YEAR}.csv").read_text("utf-8-sig")
    assert "Carrow" not in figures and "Ashby" in figures


# Issue 21: publish overwrote a user's index.html, and a second year's index the first's.


def test_publish_never_replaces_a_file_it_did_not_write(release_project: Path):
    make_publishable(release_project)
    site = release_project / "site"
    (site / str(YEAR)).mkdir(parents=True)
    theirs = "<!DOCTYPE html><title>The Ombudsman's own page</title>\n"
    (site / "index.html").write_text(theirs)
    (site / str(YEAR) / "index.html").write_text(theirs)

    result = lgo(release_project, "publish", "--to", str(site))

    assert result.code == 1
    bundle = site / str(YEAR)
    assert f"{bundle / 'index.html'}: not written by lgo-letters publish: left as it is" in (
        result.stderr
    )
    assert "nothing published" in result.stderr
    assert (site / "index.html").read_text() == theirs
    assert [p.name for p in bundle.iterdir()] == ["index.html"]  # nothing else written
    assert (bundle / "index.html").read_text() == theirs

    # Moved away, the bundle goes in; a published letter edited by hand is theirs then.
    (bundle / "index.html").unlink()
    assert lgo(release_project, "publish", "--to", str(site)).code == 0
    letter = bundle / f"ashby-annual-review-letter-{YEAR}.html"
    letter.write_text(letter.read_text("utf-8").replace("Dear", "Hello"), "utf-8")
    edited = letter.read_bytes()

    again = lgo(release_project, "publish", "--to", str(site))

    assert again.code == 1
    assert f"{letter}: changed since lgo-letters published it: left as it is" in again.stderr
    assert letter.read_bytes() == edited
    assert (site / "index.html").read_text() == theirs


def test_a_damaged_record_of_the_folder_is_reported_not_trusted(release_project: Path):
    make_publishable(release_project)
    site = release_project / "site"
    assert lgo(release_project, "publish", "--to", str(site)).code == 0
    record = site / str(YEAR) / RECORD
    record.write_text(record.read_text().replace('"year": 2021', '"year": "soon"'))
    before = snapshot(site / str(YEAR))

    result = lgo(release_project, "publish", "--to", str(site))

    assert result.code == 1
    assert f"{record}: year: " in result.stderr
    assert snapshot(site / str(YEAR)) == before


def test_years_publish_side_by_side(release_project: Path):
    # A second year of the same made-up councils, in the 2020 format.
    year_dir = release_project / "data" / "2020"
    shutil.copytree(release_project / "data" / str(YEAR) / "councils", year_dir / "councils")
    for slug in ("denholm", "elsworth", "fenwick", "ynys-mon"):
        (year_dir / "councils" / f"{slug}.yaml").unlink()
    year_record = yaml.safe_load((release_project / "data" / str(YEAR) / "year.yaml").read_text())
    year_record.update(
        letter_date=year_record["letter_date"].replace(year=2020),
        publication_date=year_record["publication_date"].replace(year=2020),
        facts=FACTS[2020],
    )
    write_record(year_dir / "year.yaml", year_record)
    site = release_project / "site"
    make_publishable(release_project)
    assert lgo(release_project, "publish", "--to", str(site)).code == 0
    before = snapshot(site / str(YEAR))
    for command in (("build",), ("approve", "--all", "--by", "J")):
        done = _lgo_year(release_project, 2020, *command)
        assert done.code == 0, done.stderr

    result = _lgo_year(release_project, 2020, "publish", "--to", str(site))

    assert result.code == 0, result.stderr
    assert snapshot(site / str(YEAR)) == before  # 2021 untouched
    for year, councils in ((2020, 3), (YEAR, len(COUNCILS))):
        index = (site / str(year) / "index.html").read_text()
        assert f"<h1>Annual review letters {year}</h1>" in index
        assert index.count('<tr data-search="') == councils
    assert (site / "2020" / "ashby-annual-review-letter-2020.pdf").is_file()


def _lgo_year(root: Path, year: int, command: str, *args: str) -> Run:
    return invoke(command, str(year), *args, *folders(root))


def test_publish_never_includes_the_combined_print_copy(release_project: Path):
    make_publishable(release_project)
    built = lgo(release_project, "build", "--combined")
    assert built.code == 0, built.stderr
    combined = release_project / "output" / str(YEAR) / f"_all-letters-{YEAR}.pdf"
    assert combined.is_file()

    assert lgo(release_project, "publish", "--to", str(release_project / "site")).code == 0

    bundle = snapshot(release_project / "site" / str(YEAR))
    assert combined.read_bytes() not in bundle.values()
    assert not any("all-letters" in name for name in bundle)
    pdfs = [data for name, data in bundle.items() if name.endswith(".pdf")]
    assert len(pdfs) == len(COUNCILS)
    assert all(b"not for publication" not in data for data in pdfs)
    assert b"not for publication" in combined.read_bytes()  # it says so itself


# A publish stopped at any point: every file old or new, never half; the next run says so.


def _correct_carrow(root: Path) -> None:
    """A late correction: new figures for Carrow (and, pooled, Denholm's average), built
    and approved."""
    change_record(root, "carrow", investigations=25, upheld=20)
    assert lgo(root, "build").code == 0
    assert lgo(root, "approve", "--all", "--by", "Jane Smith").code == 0


@pytest.fixture
def before_and_after(release_project: Path):
    """The year published into site/ (the old bundle), then corrected: the old bundle's
    files, and the new one's (published into another folder)."""
    make_publishable(release_project)
    site = release_project / "site"
    assert lgo(release_project, "publish", "--to", str(site)).code == 0
    old = snapshot(site / str(YEAR))
    _correct_carrow(release_project)
    assert lgo(release_project, "publish", "--to", str(release_project / "new")).code == 0
    new = snapshot(release_project / "new" / str(YEAR))
    changed = {name for name in new if new[name] != old.get(name)}
    assert {f"carrow-annual-review-letter-{YEAR}.pdf", "index.html"} <= changed
    return release_project, old, new


def _old_or_new(folder: Path, old: dict[str, bytes], new: dict[str, bytes]) -> None:
    for name, data in snapshot(folder).items():
        if name != RECORD:
            assert data in (old.get(name), new.get(name)), f"{name} is neither old nor new"


def test_a_publish_stopped_at_any_point_leaves_every_file_old_or_new(before_and_after, monkeypatch):
    root, old, new = before_and_after
    bundle = root / "site" / str(YEAR)
    renames = len(new) + 1  # each file, and the record twice (writing, then written)
    real_commit = output.commit
    for stop_at in range(1, renames + 1):
        shutil.rmtree(bundle)
        bundle.mkdir()
        for name, data in old.items():
            (bundle / name).write_bytes(data)

        done = [0]

        def stopping(temporary, path, stop_at=stop_at, done=done):
            done[0] += 1
            if done[0] == stop_at:  # as Ctrl-C; the temporary file is left, as by SIGKILL
                raise KeyboardInterrupt
            real_commit(temporary, path)

        monkeypatch.setattr(output, "commit", stopping)
        stopped = lgo(root, "publish", "--to", str(root / "site"))
        monkeypatch.setattr(output, "commit", real_commit)

        assert stopped.code == 130, (stop_at, stopped.stderr)
        assert "publish stopped: every file of" in stopped.stderr
        _old_or_new(bundle, old, new)
        assert any(is_own_temporary(p) for p in bundle.iterdir())

        again = lgo(root, "publish", "--to", str(root / "site"))

        assert again.code == 0, (stop_at, again.stderr)
        said = "was stopped part way" in again.stderr
        assert said == (stop_at > 1), (stop_at, again.stderr)  # the first rename: the record
        assert snapshot(bundle) == new
        assert not any(is_own_temporary(p) for p in bundle.iterdir())


def _held(root: Path, rename: int, fifo: Path) -> subprocess.Popen[str]:
    """`publish` in a child process, held just before its `rename`-th file (tests/held_write.py);
    returns once it is held there."""
    os.mkfifo(fifo)
    command = ["publish", str(YEAR), "--to", str(root / "site"), *folders(root)]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.held_write", str(rename), str(fifo), *command],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as at a terminal
    )
    descriptor = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        said = b""
        deadline = time.monotonic() + 120
        while not said.endswith(b"\n"):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "publish never reached the held rename"
            if select.select([descriptor], [], [], 0.1)[0]:
                said += os.read(descriptor, 4096)
    finally:
        os.close(descriptor)
    return process


@pytest.mark.parametrize("sent", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_a_publish_killed_part_way_is_finished_by_the_next(before_and_after, tmp_path, sent):
    root, old, new = before_and_after
    bundle = root / "site" / str(YEAR)
    # Held before its eighth rename: the record says it is writing, six files are new.
    process = _held(root, 8, tmp_path / "held")
    process.send_signal(sent)
    _, stderr = process.communicate(timeout=60)

    if sent == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
    else:
        assert process.returncode == 130, stderr
        assert "publish stopped: every file of" in stderr and "Traceback" not in stderr
    _old_or_new(bundle, old, new)
    assert json.loads((bundle / RECORD).read_text())["writing"] is not None

    again = lgo(root, "publish", "--to", str(root / "site"))

    assert again.code == 0, again.stderr
    assert f"warning: the last publish into {bundle} was stopped part way: " in again.stderr
    assert "this run writes the whole bundle again" in again.stderr
    assert snapshot(bundle) == new
