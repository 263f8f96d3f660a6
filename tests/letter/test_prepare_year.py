"""prepare_year letters extra records without pooling them, and make_letter is the one way
to a letter: both checked on a project folder of the test's own records."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from lgo_letters.errors import LetterFailure
from lgo_letters.letter import Letter, letter_pdf, make_letter
from lgo_letters.project import Paths, prepare_year
from tests.helpers import REPO
from tests.projects import make_project
from tests.records import council
from tests.years import year_file


def _write(file: Path, record: dict) -> Path:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
    return file


@pytest.fixture
def paths(tmp_path: Path, new_project: Callable[..., Path]) -> Paths:
    """A 2021 year with no given averages and one district council upholding 5 of 10."""
    new_project(data=None, years=[2021])
    year = tmp_path / "data" / "2021"
    (year / "year.yaml").write_text(year_file(2021))
    _write(year / "councils" / "half.yaml", council(name="Half District Council"))
    return Paths(tmp_path / "data", tmp_path / "templates", tmp_path / "output")


def test_unpooled_records_are_lettered_but_never_change_the_averages(
    paths: Paths, tmp_path: Path
) -> None:
    every = council(name="Every District Council", statistics={"upheld": 10})
    extra = _write(tmp_path / "cases" / "every.yaml", every)
    alone = prepare_year(paths, 2021)
    prepared = prepare_year(paths, 2021, unpooled=[extra])

    assert prepared.problems == ()
    assert prepared.averages == alone.averages
    assert prepared.averages["district"].rates["upheld"] == 50  # the year's own council only
    assert prepared.record_file("every") == extra
    letter = make_letter(prepared, "every")
    assert isinstance(letter, Letter)
    assert letter.context.rate("upheld").percent == 100
    assert letter.context.rate("upheld").average == 50
    assert "Every District Council" in letter.html


def test_an_unpooled_record_named_like_a_council_or_badly_is_a_problem(
    paths: Paths, tmp_path: Path
) -> None:
    same = _write(tmp_path / "cases" / "half.yaml", council(name="Other District Council"))
    bad = _write(tmp_path / "cases" / "Bad_Name.yaml", council(name="Bad District Council"))
    prepared = prepare_year(paths, 2021, unpooled=[same, bad])

    assert sorted(str(p) for p in prepared.problems) == [
        f"{bad}: not a valid file name: lower-case letters, digits and single hyphens",
        f"{same}: {paths.data / '2021' / 'councils'} has a record of the same name: rename it",
    ]
    assert list(prepared.letters) == ["half"]
    assert prepared.letters["half"].council.name == "Half District Council"


def test_make_letter_says_why_a_letter_cannot_be_made(paths: Paths) -> None:
    councils = paths.data / "2021" / "councils"
    (councils / "broken.yaml").write_text("name: [\n", encoding="utf-8")
    prepared = prepare_year(paths, 2021)
    broken = make_letter(prepared, "broken")
    assert isinstance(broken, LetterFailure)
    assert broken.kind == "record"
    assert broken.problems and all(p.file == councils / "broken.yaml" for p in broken.problems)
    with pytest.raises(KeyError):
        make_letter(prepared, "nowhere")

    (paths.data / "2021" / "year.yaml").write_text("letter_date: soon\n", encoding="utf-8")
    without_year = make_letter(prepare_year(paths, 2021), "half")
    assert isinstance(without_year, LetterFailure)
    assert without_year.kind == "year"
    assert {p.field for p in without_year.problems} >= {"letter_date", "publication_date"}


class _FailingLayout:
    """A PDF renderer whose layout fails, as WeasyPrint may on some document."""

    def render_counted(self, html: str, stylesheet: str | None = None) -> tuple[bytes, int]:
        raise RuntimeError("no room for the panel")


def test_a_pdf_that_cannot_be_laid_out_costs_that_letter_named_by_its_record(
    paths: Paths,
) -> None:
    letter = make_letter(prepare_year(paths, 2021), "half")
    assert isinstance(letter, Letter)
    failure = letter_pdf(letter, _FailingLayout())  # type: ignore[arg-type]
    assert isinstance(failure, LetterFailure)
    assert failure.kind == "pdf"
    assert failure.reasons == (
        f"{paths.data / '2021/councils/half.yaml'}: PDF rendering failed: "
        "RuntimeError: no room for the panel",
    )


_TYPES = ("district", "unitary", "county", "metropolitan", "london")
_RECORD = """\
name: Council {index} {kind}
type: {kind}
recipients: [Ms Example]
role: Chief Executive
statistics:
  investigations: {investigations}
  upheld: {upheld}
  satisfactory_remedies: 1
  compliance_outcomes: 2
  complied: 2
"""


def _year_of(root: Path, councils: int) -> Paths:
    """A 2021 year of `councils` records of every type: only district averages are given,
    so the other four types' averages are pooled from their records."""
    make_project(root, data=None, years=[2021])
    folder = root / "data" / "2021" / "councils"
    (folder.parent / "year.yaml").write_text(year_file(2021))
    for index in range(councils):
        kind = _TYPES[index % len(_TYPES)]
        text = _RECORD.format(
            index=index, kind=kind, investigations=4 + index % 7, upheld=2 + index % 3
        )
        (folder / f"council-{index}.yaml").write_text(text, encoding="utf-8")
    return Paths(root / "data", root / "templates", root / "output")


def _peak_memory_of_prepare_year(paths: Paths) -> int:
    tracemalloc.start()
    try:
        prepared = prepare_year(paths, 2021)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not prepared.problems
    return peak


@pytest.mark.slow  # reads 6,000 records, twice over, with every allocation traced
def test_preparing_a_year_takes_memory_in_proportion_to_its_councils(tmp_path: Path) -> None:
    # Each letter once held its own tuple of every council of its type: memory grew with
    # the square of the councils (3 GB at 20,000). Twice the councils: about twice the
    # memory, never four times. Measured with the records cache cold and then warm.
    small, large = _year_of(tmp_path / "small", 2_000), _year_of(tmp_path / "large", 4_000)
    for cache in ("cold", "warm"):
        ratio = _peak_memory_of_prepare_year(large) / _peak_memory_of_prepare_year(small)
        assert ratio < 2.5, f"records cache {cache}: 4,000 councils took {ratio:.2f}× the memory"


def test_a_prepared_year_cannot_be_changed(paths: Paths) -> None:
    """serve's threads share one PreparedYear: nothing may change it once it is made."""
    prepared = prepare_year(paths, 2021)
    letter = prepared.letters["half"]

    with pytest.raises(dataclasses.FrozenInstanceError):
        prepared.letters = {}  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        prepared.problems = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        prepared.letters["other"] = letter  # type: ignore[index]
    with pytest.raises(TypeError):
        del prepared.letters["half"]  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        prepared.averages["district"] = prepared.averages["district"]  # type: ignore[index]
    with pytest.raises(TypeError):
        prepared.unpooled["half"] = prepared.records.councils["half"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        prepared.problems.append(prepared.problems)  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        prepared.warnings.append(prepared.warnings)  # type: ignore[attr-defined]
    assert list(prepared.letters) == ["half"]
    assert prepared.letters["half"] is letter


_FROZEN_AFTER = """
import gc, sys
from pathlib import Path
from lgo_letters.project import Paths, keep_years_frozen, prepare_year
if sys.argv[2] == "once":
    keep_years_frozen()
paths = Paths(Path(sys.argv[1]) / "data", Path(sys.argv[1]) / "templates")
prepared = prepare_year(paths, 2021)
assert prepared.letters
print(gc.get_freeze_count())
"""


@pytest.mark.parametrize("process", ["once", "server"])
def test_a_year_stays_frozen_only_in_a_process_that_reads_it_once(
    paths: Paths, process: str
) -> None:
    # Every command but `serve` reads the year, acts and ends: the collector need never
    # walk what it loaded again. `serve` reads it again and again: old years must go.
    root = paths.data.parent
    found = subprocess.run(
        [sys.executable, "-c", _FROZEN_AFTER, str(root), process],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    frozen = int(found.stdout)
    assert (frozen > 0) if process == "once" else (frozen == 0), found.stdout
