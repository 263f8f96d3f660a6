"""format.yaml is the one place that knows a year's counts: their nouns and plurals, and the
rates the panels show. A made-up 2022 with a fourth panel counting remedies recommended
(an irregular plural, declared), made in a temporary project by editing only
templates/2022/ and data/2022/; and the standard counts renamed in a year's format alone."""

from __future__ import annotations

import ast
import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from lgo_letters.exchange.columns import field_for
from lgo_letters.letter import Letter, letter_pdf, make_letter
from lgo_letters.project import Paths, prepare_year
from lgo_letters.renderer.pdf import PdfRenderer
from lgo_letters.schema.loader import load_year_format, other_formats
from tests.helpers import REPO
from tests.records import council
from tests.textutil import html_text, pdf_text
from tests.years import year_file

YEAR = 2022
COUNTS = {
    "remedies_recommended": {
        "type": "count",
        "noun": "remedy recommended",
        "plural": "remedies recommended",
    },
    "remedies_on_time": {
        "type": "count",
        "at_most": "remedies_recommended",
        "noun": "remedy on time",
        "plural": "remedies on time",
    },
}
ON_TIME = {"on_time": {"part": "remedies_on_time", "whole": "remedies_recommended"}}
# The fourth panel, and a paragraph that counts in words, as the team would write them.
LETTER = """{% block panels %}
{{ super() }}
{% call stats.panel("on-time", "Remedies completed on time", icon="compliance") %}
{% set rate = letter.rate("on_time") %}
<div class="panel-figure">
<p class="headline"><strong class="percent">{{ rate.percent }}%</strong> of remedies were \
completed on time.</p>
{{ stats.comparison(rate) }}
</div>
<div class="panel-count">
<p class="count">{{ letter.counted("remedies_recommended") }}</p>
<p class="count">{{ letter.count("remedies_on_time") | counted("remedy on time") }}</p>
{{ stats.basis(letter, rate.whole_name) }}
</div>
{% endcall %}
{% endblock %}
"""
PARAGRAPH = (
    '<p class="recommended">This year there {{ "was" if letter.count("remedies_recommended")'
    ' == 1 else "were" }} {{ letter.counted("remedies_recommended", words=True) }} for your'
    " Council.</p>\n"
)
# slug → (remedies recommended, of which on time)
REMEDIES = {"ashby": (8, 6), "carrow": (1, 1)}


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The bundled templates with only 2021's year folder (none of data/), and a 2021 to
    start 2022 from."""
    shutil.copytree(
        REPO / "templates",
        tmp_path / "templates",
        ignore=lambda folder, names: [
            n for n in names if Path(folder) == REPO / "templates" and n.isdigit() and n != "2021"
        ],
    )
    return tmp_path


def _write_2022(root: Path) -> None:
    """The July edits: a copy of 2021's folder, then templates/2022/ and data/2022/ only."""
    folder = root / "templates" / str(YEAR)
    shutil.copytree(root / "templates" / "2021", folder)
    format_file = folder / "format.yaml"
    declared = yaml.safe_load(format_file.read_text())
    declared["statistics"] |= COUNTS
    declared["averages"] |= ON_TIME
    format_file.write_text(yaml.safe_dump(declared, sort_keys=False))
    template = folder / "letter.html.j2"
    text = template.read_text()
    text = text.replace(
        '{% import "macros/paragraphs.html.j2" as paragraphs %}',
        '{% import "macros/paragraphs.html.j2" as paragraphs %}\n'
        '{% import "macros/statistics.html.j2" as stats %}',
    )
    text = text.replace("{% block sections %}\n", "{% block sections %}\n" + PARAGRAPH, 1)
    template.write_text(text + LETTER)

    data = root / "data" / str(YEAR)
    (data / "councils").mkdir(parents=True)
    averages = {"district": {"upheld": 50, "compliance": 98, "satisfactory_remedy": 15}}
    averages["district"]["on_time"] = 71
    text = year_file(2021, averages=averages).replace("2021-", f"{YEAR}-")
    (data / "year.yaml").write_text(text)
    for slug, (recommended, on_time) in REMEDIES.items():
        record = council(name=f"{slug.title()} District Council")
        record["statistics"] |= {"remedies_recommended": recommended, "remedies_on_time": on_time}
        (data / "councils" / f"{slug}.yaml").write_text(yaml.safe_dump(record, sort_keys=False))


def _letters(root: Path) -> dict[str, Letter]:
    prepared = prepare_year(Paths(root / "data", root / "templates", root / "output"), YEAR)
    assert not prepared.problems, prepared.problems
    made = {slug: make_letter(prepared, slug) for slug in sorted(prepared.letters)}
    assert all(isinstance(letter, Letter) for letter in made.values()), made
    return made  # type: ignore[return-value]


def test_a_fourth_panel_prints_its_declared_irregular_plural(project: Path) -> None:
    before = _snapshot(project)
    _write_2022(project)
    after = _snapshot(project)
    changed = [name for name in after if before.get(name) != after[name]]
    assert changed and set(before) <= set(after)
    # Only the new year's own folders; no Python.
    assert all(name.startswith(("templates/2022/", "data/2022/")) for name in changed), changed
    assert not [name for name in changed if name.endswith(".py")]

    letters = _letters(project)
    ashby = html_text(letters["ashby"].html)
    assert "8 remedies recommended" in ashby  # letter.counted, in figures
    assert "6 remedies on time" in ashby  # the `counted` filter, with the declared plural
    assert "Statistics are based on a total of 8 remedies recommended" in ashby
    assert "This year there were eight remedies recommended for your Council." in ashby
    assert "75% of remedies were completed on time." in ashby
    carrow = html_text(letters["carrow"].html)
    assert "This year there was one remedy recommended for your Council." in carrow
    assert "1 remedy recommended" in carrow and "1 remedy on time" in carrow
    for text in (ashby, carrow):
        assert "recommendeds" not in text and "on times" not in text


@pytest.mark.slow  # lays out a PDF (about a second)
def test_the_fourth_panels_plural_in_the_pdf(project: Path) -> None:
    _write_2022(project)
    letters = _letters(project)
    renderer = PdfRenderer(project / "templates")
    texts = {}
    for slug in ("ashby", "carrow"):
        made = letter_pdf(letters[slug], renderer)
        assert not hasattr(made, "reasons"), made
        texts[slug] = pdf_text(made.pdf)  # type: ignore[union-attr]
    assert "8 remedies recommended" in texts["ashby"]
    assert "6 remedies on time" in texts["ashby"]
    assert "one remedy recommended" in texts["carrow"]
    assert "recommendeds" not in " ".join(texts.values())


def _rename(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def test_the_standard_counts_come_from_the_format_alone(project: Path) -> None:
    """2021's counts renamed and re-nouned in its format.yaml (and its records): the panels
    follow, so nothing in Python or the macros knows their names or nouns."""
    format_file = project / "templates" / "2021" / "format.yaml"
    text = format_file.read_text()
    text = _rename(text, "  investigations: {", "  cases_investigated: {")
    text = _rename(text, "at_most: investigations", "at_most: cases_investigated")
    text = text.replace("whole: investigations", "whole: cases_investigated")
    text = _rename(
        text, "noun: upheld decision", "noun: complaint upheld, plural: complaints upheld"
    )
    format_file.write_text(text)
    data = project / "data" / "2021"
    (data / "councils").mkdir(parents=True)
    (data / "year.yaml").write_text(year_file(2021))
    record = council(statistics={"upheld": 3})
    record["statistics"]["cases_investigated"] = record["statistics"].pop("investigations")
    (data / "councils" / "ashby.yaml").write_text(yaml.safe_dump(record, sort_keys=False))

    prepared = prepare_year(Paths(project / "data", project / "templates"), 2021)
    assert not prepared.problems, prepared.problems
    letter = make_letter(prepared, "ashby")
    assert isinstance(letter, Letter), letter
    text = html_text(letter.html)
    assert "30% of complaints we investigated were upheld." in text
    assert "3 complaints upheld Statistics are based on a total of 10 detailed investigations" in (
        text
    )


# The layers run schema → context → render: a module imports nothing above its own layer.
_ABOVE = {
    "schema": ("context", "renderer"),
    "context": ("renderer",),
}


@pytest.mark.parametrize("layer", sorted(_ABOVE))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    upward = []
    for file in sorted((REPO / "lgo_letters" / layer).glob("*.py")):
        for node in ast.walk(ast.parse(file.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if any(name.startswith(f"lgo_letters.{above}") for above in _ABOVE[layer]):
                    upward.append(f"{file.name}:{node.lineno}: {name}")
    assert upward == []


# The headers `import` knew the standard counts (and 2021's fields) by when they were
# written in Python: each still names its field, now that format.yaml declares them.
_TEAM_HEADERS = {
    "statistics.investigations": ("investigations", "detailed investigations"),
    "statistics.upheld": ("upheld", "upheld decisions", "upheld complaints"),
    "statistics.satisfactory_remedies": (
        "satisfactory remedies",
        "satisfactory remedy",
        "satisfactory remedy decisions",
    ),
    "statistics.compliance_outcomes": ("compliance outcomes", "compliance outcomes recorded"),
    "statistics.complied": ("complied", "complied with"),
    "late_remedies": ("remedies completed late",),
    "training_courses": ("complaint handling courses", "training courses delivered"),
    "late_remedies_detail": ("late remedies paragraph",),
}


@pytest.mark.parametrize("year", [2020, 2021])
def test_import_knows_the_standard_counts_by_the_headers_it_always_did(year: int) -> None:
    declared = load_year_format(REPO / "templates", year).declared
    others = other_formats(REPO / "templates", year)
    found = {
        word: field_for(word, declared, others)
        for words in _TEAM_HEADERS.values()
        for word in words
    }
    assert found == {word: path for path, words in _TEAM_HEADERS.items() for word in words}
