"""The server's own pages: the year's index, a letter that cannot be shown, an unknown page.

Letters themselves come from the year's templates; these pages only surround them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import jinja2

from lgo_letters.errors import LetterFailure, Problem

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em;
       color: #1a1a1a; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; }
th, td { border-bottom: 1px solid #ccc; padding: 0.35em 0.6em; text-align: left;
         vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.problems { border-left: 0.4em solid #b00020; background: #fdecee; padding: 0.5em 1em; }
.problems table { background: #fff; }
.warnings { border-left: 0.4em solid #8a5a00; background: #fff4e0; padding: 0.5em 1em; }
.warnings table { background: #fff; }
.problem { color: #b00020; }
.draft { color: #b00020; font-weight: bold; }
pre { white-space: pre-wrap; }
.note { color: #555; }
.valid-slugs li { line-height: 2; } /* links far enough apart to tap (WCAG 2.2 target size) */
"""

_PROBLEMS = """
{% macro problem_table(problems) %}
<table class="problem-list">
<thead><tr><th>File</th>
<th>Line</th>
<th>Field</th>
<th>Message</th></tr></thead>
<tbody>
{% for p in problems %}
<tr class="problem"><td class="file">{{ p.file }}</td>
<td class="line">{{ p.line if p.line is not none else "" }}</td>
<td class="field">{{ p.field }}</td>
<td class="message">{{ p.message }}</td></tr>
{% endfor %}
</tbody></table>
{% endmacro %}
"""

_LAYOUT = """<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>{{ title }}</title><style>{{ css }}</style></head>
<body>
<main>
{% block body %}{% endblock %}
</main>
</body>
</html>
"""

_INDEX = """{% extends "layout" %}{% from "problems" import problem_table %}
{% block body %}
<h1>{{ title }}</h1>
<p class="note">Live preview of {{ data_dir }}: pages reload by themselves when a record or
template is saved.</p>
{% if failure %}
<section class="problems"><h2>The year cannot be prepared</h2><pre>{{ failure }}</pre></section>
{% endif %}
{% if year_problems %}
<section class="problems"><h2>Problems in the year's files</h2>
{{ problem_table(year_problems) }}</section>
{% endif %}
{% if year_warnings %}
<section class="warnings"><h2>Warnings: the letters can be made, but</h2>
{{ problem_table(year_warnings) }}
<p><code>lgo-letters build --strict</code> refuses the year until these are dealt with.</p>
</section>
{% endif %}
<table class="councils">
<thead><tr><th>Council</th>
<th>Type</th>
{% for rate in rates %}
<th>{{ rate.replace("_", " ") | capitalize }}</th>
{% endfor %}
<th>Draft</th>
<th>Problems</th>
<th>PDF</th></tr></thead>
<tbody>
{% for row in rows %}
<tr id="council-{{ row.slug }}">
<td><a class="letter-link" href="/{{ row.slug }}">{{ row.name }}</a></td>
<td>{{ row.type }}</td>
{% for rate in rates %}
<td class="number {{ rate.replace("_", "-") }}">{{ row.rates.get(rate, "") }}</td>
{% endfor %}
<td>{% if row.draft %}<span class="draft">draft</span>{% endif %}</td>
<td class="problem">{% for p in row.problems %}{{ p }}<br>
{% endfor %}</td>
<td>{% if not row.problems %}<a href="/{{ row.slug }}.pdf">PDF</a>{% endif %}</td>
</tr>
{% endfor %}
</tbody></table>
{% endblock %}
"""

_UNAVAILABLE = """{% extends "layout" %}{% from "problems" import problem_table %}
{% block body %}
<p><a href="/">All letters</a></p>
<section class="problems">
<h1>{{ title }}</h1>
{% for message in messages %}
<pre class="problem">{{ message }}</pre>
{% endfor %}
{% if problems %}{{ problem_table(problems) }}{% endif %}
<p>Fix the file and save it: this page reloads by itself.</p>
</section>
{% endblock %}
"""

_NOT_FOUND = """{% extends "layout" %}
{% block body %}
<h1>{{ title }}</h1>
<p>{{ what }} Letters of {{ year }}:</p>
<ul class="valid-slugs">
{% for slug in valid %}
<li><a href="/{{ slug }}">{{ slug }}</a></li>
{% endfor %}
</ul>
{% endblock %}
"""

_ENV = jinja2.Environment(
    loader=jinja2.DictLoader(
        {
            "layout": _LAYOUT,
            "problems": _PROBLEMS,
            "index": _INDEX,
            "unavailable": _UNAVAILABLE,
            "not_found": _NOT_FOUND,
        }
    ),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class CouncilRow:
    slug: str
    name: str
    type: str
    draft: bool
    problems: list[str]
    # Each rate the year's format declares (its averages key) → the percentage as shown;
    # empty when the letter cannot be made.
    rates: dict[str, str] = field(default_factory=dict)


def _render(name: str, **context: object) -> str:
    return _ENV.get_template(name).render(css=_CSS, **context)


def index_page(
    year: int,
    data_dir: str,
    rows: Iterable[CouncilRow],
    year_problems: list[Problem],
    failure: str | None,
    year_warnings: Iterable[Problem] = (),
    rates: Iterable[str] = (),
) -> str:
    """The year's councils, with a column for each rate in `rates` (the format's averages)."""
    return _render(
        "index",
        title=f"Annual review letters {year}",
        data_dir=data_dir,
        rows=list(rows),
        rates=list(rates),
        year_problems=sorted(year_problems),
        failure=failure,
        year_warnings=sorted(year_warnings),
    )


def unavailable_page(failure: LetterFailure) -> str:
    """A letter that cannot be shown, and why: its reasons worded as every front end words
    them (file:line:col: field: message), then a record's or year file's problems by column."""
    located = failure.kind in ("record", "year")
    return _render(
        "unavailable",
        title=f"The letter for {failure.slug} cannot be shown",
        problems=sorted(failure.problems) if located else [],
        messages=list(failure.reasons),
    )


def year_unavailable_page(slug: str, failure: str) -> str:
    """A letter that cannot be shown because its year cannot be prepared at all."""
    return _render(
        "unavailable",
        title=f"The letter for {slug} cannot be shown",
        problems=[],
        messages=[failure],
    )


def internal_error_page(message: str) -> str:
    """Something this tool did not foresee; the server carries on serving."""
    return _render(
        "unavailable",
        title="lgo-letters could not make this page",
        problems=[],
        messages=[message],
    )


def not_found_page(year: int, what: str, valid: Iterable[str]) -> str:
    return _render("not_found", title="Not found", what=what, year=year, valid=sorted(valid))
