"""One PDF of the whole year for printing: every final letter, councils in alphabetical
order, a bookmark per council.

It is a print copy, not for publication: the pages are the letters' own, but the joined file
has no structure tree (the letters' own PDFs are the accessible, PDF/UA-1 copies to publish),
and its title says so. Draft letters are never in it.

The build's combined phase keeps it in step with its letters: decide_combined says what to
do (a decision on the manifest and the files on disk, writing nothing) and update_combined
does it. It is made from the final letters as they are on disk, drafts left out (and
named). With `--combined` it is written when every letter of the year is built; without,
one made earlier is rebuilt when its letters changed and the whole year was built, and
removed when it can no longer be made here (`--only`, a failed letter): it never holds a
figure its council's own letter no longer has.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lgo_letters.context.numbers import counted
from lgo_letters.hashing import file_sha256, sha256_bytes
from lgo_letters.manifest import CombinedEntry, Manifest
from lgo_letters.output import write_atomic

PRINT_COPY = "print copy, not for publication"


def combined_name(year: int) -> str:
    # The underscore keeps it apart from letters: a council slug never has one.
    return f"_all-letters-{year}.pdf"


def combined_title(year: int) -> str:
    return f"Annual review letters {year} – {PRINT_COPY}"


@dataclass(frozen=True)
class CombinedLetter:
    slug: str
    name: str
    pdf: Path
    sha256: str  # of the letter's PDF as it is on disk


def combined_input(letters: Iterable[CombinedLetter]) -> str:
    """What the combined PDF is made of: each letter's name, slug and PDF, hashed."""
    return sha256_bytes(
        repr(sorted((letter.name, letter.slug, letter.sha256) for letter in letters))
    )


def write_combined(target: Path, year: int, letters: list[CombinedLetter]) -> tuple[int, str]:
    """Join the letters, sorted by council name, into `target`; returns its page count and
    sha256."""
    import pypdf  # only a combined build needs it here
    from pypdf.generic import NameObject, TextStringObject

    writer = pypdf.PdfWriter()
    for letter in sorted(letters, key=lambda letter: letter.name.casefold()):
        writer.append(letter.pdf, outline_item=letter.name, import_outline=False)
    writer.add_metadata(
        {
            "/Title": combined_title(year),
            "/Author": "Local Government and Social Care Ombudsman",
            "/Subject": (
                f"The final annual review letters of {year} in one file, for printing. "
                "Publish each council's own letter PDF (tagged, PDF/UA-1), not this file."
            ),
        }
    )
    writer.root_object[NameObject("/Lang")] = TextStringObject("en-GB")
    # The title, not the file name. (pypdf makes its properties at run time, so its hints
    # see a bare property: this assignment is right.)
    writer.create_viewer_preferences().display_doctitle = True  # type: ignore[assignment]
    writer.page_mode = "/UseOutlines"  # open with the bookmarks showing
    buffer = io.BytesIO()
    writer.write(buffer)
    write_atomic(target, buffer.getvalue())
    return len(writer.pages), sha256_bytes(buffer.getvalue())


@dataclass(frozen=True)
class YearLetter:
    slug: str
    name: str  # the council's
    draft: bool


@dataclass(frozen=True)
class CombinedInputs:
    """What this build knows of the year's letters, and what it was asked."""

    year: int
    letters: tuple[YearLetter, ...]  # every council the build made a letter context for
    failed: frozenset[str]  # letters not built: problems in their records, or failures
    known: frozenset[str]  # every council in the data, with or without a letter
    asked: bool  # --combined
    only: bool  # --only: not the whole year
    force: bool
    interrupted: bool  # a stop came: not every letter is as it should be


CombinedAction = Literal["nothing", "forget", "explain", "remove", "keep", "write"]


@dataclass(frozen=True)
class CombinedPlan:
    """What to do with the combined PDF: nothing; forget it (deleted by hand, not asked
    for); say why it is not written (`reason`); remove it, stale (`reason`); keep it,
    unchanged; or write it from `letters`."""

    action: CombinedAction
    reason: str = ""
    letters: tuple[CombinedLetter, ...] = ()
    drafts: tuple[str, ...] = ()  # left out
    input_hash: str = ""


@dataclass(frozen=True)
class CombinedOutcome:
    path: Path | None  # the combined PDF, when there is one matching the letters
    note: str
    manifest: Manifest


def decide_combined(inputs: CombinedInputs, manifest: Manifest, out_dir: Path) -> CombinedPlan:
    """What the combined phase must do, from the manifest and the files on disk."""
    target = out_dir / combined_name(inputs.year)
    previous = manifest.combined
    if previous is not None and not inputs.asked and not target.exists():
        return CombinedPlan("forget")  # deleted by hand: not made again unless asked for
    if not (inputs.asked or previous):
        return CombinedPlan("nothing")
    missing = sorted(inputs.failed)
    if inputs.interrupted or inputs.only or missing or not inputs.letters:
        why = (
            "the build was interrupted"
            if inputs.interrupted
            else f"{len(missing)} letter(s) failed ({', '.join(missing)})"
            if missing
            else "not every letter of the year was built (--only)"
            if inputs.only
            else "no letters"
        )
        if previous and not _matches(inputs, manifest, previous):
            return CombinedPlan("remove", f"its letters changed and {why}")
        return CombinedPlan("explain" if inputs.asked else "nothing", why)

    finals = tuple(
        CombinedLetter(
            letter.slug,
            letter.name,
            out_dir / f"{letter.slug}.pdf",
            manifest.sha256_of(letter.slug, f"{letter.slug}.pdf") or "",
        )
        for letter in inputs.letters
        if not letter.draft
    )
    drafts = tuple(sorted(letter.slug for letter in inputs.letters if letter.draft))
    if not finals:
        if previous:
            return CombinedPlan("remove", "every letter is now a draft")
        return CombinedPlan("explain", "every letter is a draft")
    input_hash = combined_input(finals)
    unchanged = (
        previous is not None
        and previous.input == input_hash
        and file_sha256(target) == previous.sha256
    )
    action: CombinedAction = "keep" if unchanged and not inputs.force else "write"
    return CombinedPlan(action, letters=finals, drafts=drafts, input_hash=input_hash)


def _matches(inputs: CombinedInputs, manifest: Manifest, previous: CombinedEntry) -> bool:
    """Whether the letters this build saw are in the combined PDF exactly as they are now
    (a final letter with the same PDF; a draft not at all; a council no longer in the data
    not at all)."""
    members = previous.letters
    if members is None:  # made before the manifest named its letters
        return False
    if not inputs.only and any(slug not in inputs.known for slug in members):
        return False
    for letter in inputs.letters:
        if letter.draft:
            if letter.slug in members:
                return False
        elif members.get(letter.slug) != manifest.sha256_of(letter.slug, f"{letter.slug}.pdf"):
            return False
    return True


def update_combined(
    plan: CombinedPlan, inputs: CombinedInputs, manifest: Manifest, out_dir: Path
) -> CombinedOutcome:
    """Carry out `plan`: returns the combined PDF there is, what to say, and the manifest."""
    target = out_dir / combined_name(inputs.year)
    drafts_note = f"; drafts left out: {', '.join(plan.drafts)}" if plan.drafts else ""
    if plan.action == "forget":
        return CombinedOutcome(None, "", manifest.with_combined(None))
    if plan.action == "nothing":
        return CombinedOutcome(None, "", manifest)
    if plan.action == "explain":
        return CombinedOutcome(None, f"combined PDF not written: {plan.reason}", manifest)
    if plan.action == "remove":
        return _remove(target, plan.reason, inputs.year, manifest)
    if plan.action == "keep":
        return CombinedOutcome(target, f"combined PDF unchanged: {target}{drafts_note}", manifest)
    pages, sha256 = write_combined(target, inputs.year, list(plan.letters))
    entry = CombinedEntry(
        file=target.name,
        input=plan.input_hash,
        sha256=sha256,
        pages=pages,
        letters={letter.slug: letter.sha256 for letter in plan.letters},
        drafts_left_out=list(plan.drafts),
    )
    made = "combined PDF" if inputs.asked else "combined PDF rebuilt (its letters changed)"
    note = (
        f"{made}, a print copy: {target} "
        f"({counted(len(plan.letters), 'letter')}, {counted(pages, 'page')}){drafts_note}"
    )
    return CombinedOutcome(target, note, manifest.with_combined(entry))


def _remove(target: Path, why: str, year: int, manifest: Manifest) -> CombinedOutcome:
    """A combined PDF that no longer matches the letters is removed, never left stale."""
    try:
        target.unlink(missing_ok=True)
    except OSError as error:
        note = f"combined PDF is stale ({why}) and cannot be removed: {error}"
        return CombinedOutcome(None, note, manifest)
    note = (
        f"combined PDF removed, {why}: {target}; "
        f"`lgo-letters build {year} --combined` makes it again"
    )
    return CombinedOutcome(None, note, manifest.with_combined(None))
