"""The build's phases on their own, without a build: which letters are out of date, which are
stale and what --clean may delete, what becomes of the combined PDF, and the exit code a
build's outcome means. (Whole builds: test_build_*.py and test_faults_build.py.)"""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

import pytest

from lgo_letters.build.combined import (
    CombinedInputs,
    CombinedLetter,
    YearLetter,
    combined_input,
    combined_name,
    decide_combined,
    update_combined,
)
from lgo_letters.build.options import BuildOptions
from lgo_letters.build.plan import out_of_date, plan_letters
from lgo_letters.build.report import BuildReport
from lgo_letters.build.stale import clean, stale_councils
from lgo_letters.errors import LetterFailure, Problem
from lgo_letters.hashing import sha256_bytes
from lgo_letters.manifest import MANIFEST, BuiltFile, CombinedEntry, Manifest
from lgo_letters.output import folder_lock
from lgo_letters.project import Paths, prepare_year
from tests.errorcases import invoke
from tests.faults import YEAR, council, make_project, write_record
from tests.helpers import copy_project

INPUT_A, INPUT_B = "a" * 64, "b" * 64


def written(folder: Path, name: str, data: bytes) -> str:
    (folder / name).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def built(manifest: Manifest, folder: Path, slug: str, name: str, input_hash: str) -> Manifest:
    """`manifest` recording `slug`'s file `name`, as it is on disk, as built from input_hash."""
    sha256 = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    return manifest.recording(
        slug, slug.title(), folder / name, BuiltFile(input=input_hash, sha256=sha256)
    )


# --- plan: which of a letter's files are out of date ---------------------------------------


def test_a_letter_never_built_needs_both_files(tmp_path: Path) -> None:
    writes = out_of_date(
        "ashby", INPUT_A, INPUT_A, tmp_path, Manifest(tmp_path / MANIFEST, YEAR), BuildOptions()
    )
    assert (writes.html, writes.pdf) == (True, True)


def test_a_letter_as_built_needs_nothing_unless_forced(tmp_path: Path) -> None:
    html_sha = written(tmp_path, "ashby.html", b"<html>ashby</html>")
    written(tmp_path, "ashby.pdf", b"%PDF- ashby")
    manifest = built(Manifest(tmp_path / MANIFEST, YEAR), tmp_path, "ashby", "ashby.pdf", INPUT_A)

    def writes(input_hash: str = INPUT_A, html_sha256: str = html_sha, **options: object):
        found = out_of_date(
            "ashby", html_sha256, input_hash, tmp_path, manifest, BuildOptions(**options)
        )
        return found.html, found.pdf

    assert writes() == (False, False)
    assert writes(force=True) == (True, True)
    assert writes(fmt="html", force=True) == (True, False)
    assert writes(fmt="pdf", force=True) == (False, True)
    # New HTML bytes whose input hash is still the PDF's: only the HTML is rewritten.
    assert writes(html_sha256=INPUT_B) == (True, False)
    # The PDF's inputs changed (the engine, say) though the HTML did not.
    assert writes(input_hash=INPUT_B) == (False, True)
    # The PDF on disk is not the one built.
    (tmp_path / "ashby.pdf").write_bytes(b"%PDF- altered")
    assert writes() == (False, True)
    assert writes(fmt="html") == (False, False)


def test_planning_renders_every_letter_and_records_the_html_already_on_disk(
    tmp_path: Path,
) -> None:
    make_project(tmp_path)
    write_record(tmp_path, "carrow", {**council("Carrow District Council"), "name": 7})
    paths = Paths(tmp_path / "data", tmp_path / "templates", tmp_path / "output")
    out_dir = tmp_path / "output" / str(YEAR)
    prepared = prepare_year(paths, YEAR)
    empty = Manifest(out_dir / MANIFEST, YEAR)
    first = plan_letters(prepared, BuildOptions(fmt="html"), out_dir, empty, lambda: False)
    assert [letter.slug for letter in first.letters] == ["ashby", "barnfield"]
    assert all(letter.write_html and not letter.make_pdf for letter in first.letters)
    assert first.unchanged == () and first.manifest.councils == {}

    # ashby's HTML is on disk as the build would write it; barnfield's is not.
    out_dir.mkdir(parents=True)
    ashby = first.letters[0]
    (out_dir / "ashby.html").write_text(ashby.html, encoding="utf-8")
    again = plan_letters(prepared, BuildOptions(fmt="html"), out_dir, empty, lambda: False)
    assert [letter.slug for letter in again.letters] == ["barnfield"]
    assert again.unchanged == ("ashby",)
    assert again.manifest.file("ashby", "ashby.html") == BuiltFile(
        input=ashby.input_hash, sha256=sha256_bytes(ashby.html), bytes=len(ashby.html.encode())
    )
    assert empty.councils == {}, "planning returns a new manifest; it changes not its argument"

    stopped = plan_letters(prepared, BuildOptions(fmt="html"), out_dir, empty, lambda: True)
    assert (stopped.letters, stopped.unchanged, stopped.failures) == ((), (), ())


# --- stale letters and --clean ---------------------------------------------------------------


def test_stale_councils_are_those_the_manifest_has_and_the_data_does_not(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path / MANIFEST, YEAR)
    for slug in ("ashby", "barnfield", "carrow"):
        written(tmp_path, f"{slug}.html", slug.encode())
        manifest = built(manifest, tmp_path, slug, f"{slug}.html", INPUT_A)
    assert stale_councils(["ashby", "carrow", "dacorum"], (), manifest) == ("barnfield",)
    assert stale_councils(["ashby"], ("ashby",), manifest) == ()  # --only sees no whole year


def test_clean_deletes_only_files_it_wrote_and_nobody_changed(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path / MANIFEST, YEAR)
    for name in ("gone.html", "gone.pdf", "edited.html", "linked.pdf"):
        written(tmp_path, name, name.encode())
        manifest = built(manifest, tmp_path, name.split(".")[0], name, INPUT_A)
    (tmp_path / "edited.html").write_text("edited by hand")
    (tmp_path / "linked.pdf").unlink()
    (tmp_path / "elsewhere.pdf").write_bytes(b"linked.pdf")
    os.symlink(tmp_path / "elsewhere.pdf", tmp_path / "linked.pdf")
    precious = tmp_path / "precious.txt"
    precious.write_text("not a letter")
    manifest = built(manifest, tmp_path, "wrong", "precious.txt", INPUT_A)

    cleaned = clean(["gone", "edited", "linked", "wrong", "never-there"], tmp_path, manifest)

    assert set(cleaned.removed) == {tmp_path / "gone.html", tmp_path / "gone.pdf"}
    assert not (tmp_path / "gone.html").exists() and not (tmp_path / "gone.pdf").exists()
    assert (tmp_path / "edited.html").read_text() == "edited by hand"
    assert (tmp_path / "elsewhere.pdf").exists() and precious.exists()
    assert cleaned.kept == (
        "'edited.html' of edited: changed since it was built: left as it is",
        "'linked.pdf' of linked: not a regular file: left as it is",
        "'precious.txt' of wrong: not a letter file of this council in the output folder "
        "(the manifest is wrong)",
    )
    # A council is forgotten once nothing is left that could not be deleted.
    assert cleaned.manifest.councils == {}
    assert set(manifest.councils) == {"gone", "edited", "linked", "wrong"}


# --- the combined PDF --------------------------------------------------------------------------


def year_of(tmp_path: Path, *slugs: str, drafts: tuple[str, ...] = ()) -> Manifest:
    """A year of final letters (and `drafts`) whose PDFs are on disk and in the manifest."""
    manifest = Manifest(tmp_path / MANIFEST, YEAR)
    for slug in (*slugs, *drafts):
        written(tmp_path, f"{slug}.pdf", f"%PDF- {slug}".encode())
        manifest = built(manifest, tmp_path, slug, f"{slug}.pdf", INPUT_A)
    return manifest


def inputs(
    *slugs: str, drafts: tuple[str, ...] = (), failed: tuple[str, ...] = (), **flags: bool
) -> CombinedInputs:
    letters = [YearLetter(slug, slug.title(), False) for slug in slugs]
    letters += [YearLetter(slug, slug.title(), True) for slug in drafts]
    every = frozenset((*slugs, *drafts, *failed))
    asked = {"asked": False, "only": False, "force": False, "interrupted": False} | flags
    return CombinedInputs(YEAR, tuple(letters), frozenset(failed), every, **asked)


def made(tmp_path: Path, manifest: Manifest, *slugs: str, drafts: tuple[str, ...] = ()):
    """The manifest with a combined PDF on disk made of `slugs`' PDFs as they are now."""
    finals = [
        CombinedLetter(
            slug,
            slug.title(),
            tmp_path / f"{slug}.pdf",
            manifest.sha256_of(slug, f"{slug}.pdf") or "",
        )
        for slug in slugs
    ]
    sha256 = written(tmp_path, combined_name(YEAR), b"%PDF- combined")
    entry = CombinedEntry(
        file=combined_name(YEAR),
        input=combined_input(finals),
        sha256=sha256,
        pages=len(finals),
        letters={letter.slug: letter.sha256 for letter in finals},
        drafts_left_out=list(drafts),
    )
    return manifest.with_combined(entry)


def test_no_combined_pdf_unless_asked_for_or_made_before(tmp_path: Path) -> None:
    manifest = year_of(tmp_path, "ashby", "barnfield")
    assert decide_combined(inputs("ashby", "barnfield"), manifest, tmp_path).action == "nothing"


def test_asked_for_it_is_made_of_the_final_letters_only(tmp_path: Path) -> None:
    manifest = year_of(tmp_path, "ashby", "barnfield", drafts=("carrow",))
    plan = decide_combined(
        inputs("ashby", "barnfield", drafts=("carrow",), asked=True), manifest, tmp_path
    )
    assert plan.action == "write"
    assert [letter.slug for letter in plan.letters] == ["ashby", "barnfield"]
    assert plan.letters[0].sha256 == manifest.sha256_of("ashby", "ashby.pdf")
    assert plan.drafts == ("carrow",)
    assert plan.input_hash == combined_input(plan.letters)


@pytest.mark.parametrize(
    ("flags", "failed", "why"),
    [
        ({"interrupted": True}, (), "the build was interrupted"),
        ({}, ("carrow",), "1 letter(s) failed (carrow)"),
        ({"only": True}, (), "not every letter of the year was built (--only)"),
    ],
)
def test_asked_for_when_it_cannot_be_made_it_says_why(
    tmp_path: Path, flags: dict[str, bool], failed: tuple[str, ...], why: str
) -> None:
    manifest = year_of(tmp_path, "ashby")
    plan = decide_combined(inputs("ashby", failed=failed, asked=True, **flags), manifest, tmp_path)
    assert (plan.action, plan.reason) == ("explain", why)
    outcome = update_combined(plan, inputs("ashby", asked=True), manifest, tmp_path)
    assert (outcome.path, outcome.note) == (None, f"combined PDF not written: {why}")
    # Not asked for, and none made before: nothing to say.
    quiet = decide_combined(inputs("ashby", failed=failed, **flags), manifest, tmp_path)
    assert quiet.action == "nothing"


def test_one_that_still_matches_its_letters_is_kept_and_not_rewritten(tmp_path: Path) -> None:
    manifest = made(tmp_path, year_of(tmp_path, "ashby", "barnfield"), "ashby", "barnfield")
    plan = decide_combined(inputs("ashby", "barnfield"), manifest, tmp_path)
    assert plan.action == "keep"
    outcome = update_combined(plan, inputs("ashby", "barnfield"), manifest, tmp_path)
    assert outcome.path == tmp_path / combined_name(YEAR)
    assert outcome.note.startswith("combined PDF unchanged:")
    assert outcome.manifest == manifest
    forced = decide_combined(inputs("ashby", "barnfield", force=True), manifest, tmp_path)
    assert forced.action == "write"
    # A letter failed this time, but the combined PDF still holds the letters as they are.
    failing = decide_combined(inputs("ashby", "barnfield", failed=("carrow",)), manifest, tmp_path)
    assert failing.action == "nothing"


def test_one_whose_letters_changed_is_rebuilt_or_removed(tmp_path: Path) -> None:
    manifest = made(tmp_path, year_of(tmp_path, "ashby", "barnfield"), "ashby", "barnfield")
    written(tmp_path, "ashby.pdf", b"%PDF- ashby, corrected")
    manifest = built(manifest, tmp_path, "ashby", "ashby.pdf", INPUT_B)
    # The whole year built: made again from the letters as they are now.
    assert decide_combined(inputs("ashby", "barnfield"), manifest, tmp_path).action == "write"
    # Not the whole year: it would hold ashby's old letter, so it goes.
    plan = decide_combined(inputs("ashby", "barnfield", only=True), manifest, tmp_path)
    assert (plan.action, plan.reason) == (
        "remove",
        "its letters changed and not every letter of the year was built (--only)",
    )
    outcome = update_combined(plan, inputs("ashby", "barnfield"), manifest, tmp_path)
    assert not (tmp_path / combined_name(YEAR)).exists()
    assert outcome.manifest.combined is None and outcome.path is None
    assert outcome.note.startswith("combined PDF removed, its letters changed and not every")


@pytest.mark.parametrize("change", ["now-a-draft", "no-longer-in-the-data"])
def test_one_holding_a_letter_that_should_not_be_there_is_removed(
    tmp_path: Path, change: str
) -> None:
    manifest = made(tmp_path, year_of(tmp_path, "ashby", "barnfield"), "ashby", "barnfield")
    if change == "now-a-draft":
        now = inputs("ashby", drafts=("barnfield",), failed=("carrow",))
    else:
        now = inputs("ashby", failed=("carrow",))  # barnfield's record is gone
    plan = decide_combined(now, manifest, tmp_path)
    assert (plan.action, plan.reason) == (
        "remove",
        "its letters changed and 1 letter(s) failed (carrow)",
    )


def test_when_every_letter_is_a_draft(tmp_path: Path) -> None:
    manifest = year_of(tmp_path, drafts=("ashby",))
    asked = decide_combined(inputs(drafts=("ashby",), asked=True), manifest, tmp_path)
    assert (asked.action, asked.reason) == ("explain", "every letter is a draft")
    before = made(tmp_path, manifest, "ashby")
    plan = decide_combined(inputs(drafts=("ashby",)), before, tmp_path)
    assert (plan.action, plan.reason) == ("remove", "every letter is now a draft")


def test_one_deleted_by_hand_is_forgotten_not_made_again(tmp_path: Path) -> None:
    manifest = made(tmp_path, year_of(tmp_path, "ashby"), "ashby")
    (tmp_path / combined_name(YEAR)).unlink()
    plan = decide_combined(inputs("ashby"), manifest, tmp_path)
    assert plan.action == "forget"
    outcome = update_combined(plan, inputs("ashby"), manifest, tmp_path)
    assert (outcome.manifest.combined, outcome.note) == (None, "")
    assert decide_combined(inputs("ashby", asked=True), manifest, tmp_path).action == "write"


# --- what the outcome means for the exit code -------------------------------------------------


def _failed(reason: str) -> LetterFailure:
    return LetterFailure("ashby", "template", (Problem(Path("t.j2"), 1, None, "", reason),))


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        ({}, 0),
        ({"built": ("ashby",), "unchanged": ("barnfield",)}, 0),
        (
            {
                "failures": (
                    LetterFailure(
                        "ashby", "template", (Problem(Path("t.j2"), 1, None, "", "broken"),)
                    ),
                )
            },
            1,
        ),
        ({"refused": "--strict: 1 warning(s); no letter was built"}, 1),
        ({"halted": True}, 1),
        ({"manifest_error": "cannot write manifest.json"}, 1),
        ({"interrupted_by": signal.SIGINT, "not_done": ("carrow",)}, 128 + signal.SIGINT),
        ({"interrupted_by": signal.SIGTERM, "combined_skipped": True}, 128 + signal.SIGTERM),
        # A signal after the last letter: nothing was left undone.
        ({"interrupted_by": signal.SIGINT, "built": ("ashby",)}, 0),
        (
            {
                "interrupted_by": signal.SIGINT,
                "failures": (_failed("x"),),
            },
            1,
        ),
    ],
)
def test_the_exit_code_is_decided_by_the_report(outcome: dict, code: int) -> None:
    assert BuildReport(YEAR, Path("output"), **outcome).exit_code == code


def test_one_build_of_a_year_at_a_time(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    out = root / "output" / "2021"
    out.mkdir(parents=True)
    folders = ["--data", str(root / "data"), "--templates", str(root / "templates")]
    with folder_lock(out, "held by this test"):
        result = invoke("build", "2021", "--format", "html", *folders, "--out", str(out.parent))
    assert result.code == 2
    assert f"error: another build of 2021 is writing to {out}" in result.stderr
    assert list(out.iterdir()) == []
    after = invoke("build", "2021", "--format", "html", *folders, "--out", str(out.parent))
    assert after.code == 0, after.stderr
    assert (out / "dartford.html").is_file()
