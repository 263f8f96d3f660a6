"""The review desk's pages: the index of every letter, a letter with its review panel, and
the answers to its forms. Every value is escaped by Jinja (autoescape): names, reasons
and messages from records and ledgers are text, never markup."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import jinja2

from lgo_letters.release.stages import DESCRIPTIONS, STAGES
from lgo_letters.serve.pages import _CSS

_DESK_CSS = """
.counts ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5em; }
.counts a { display: inline-block; padding: 0.3em 0.7em; border: 1px solid #767676;
            border-radius: 0.3em; color: #1a1a1a; text-decoration: none; min-height: 24px; }
.counts a[aria-current=true] { background: #1a1a1a; color: #fff; }
form.filters { display: flex; flex-wrap: wrap; gap: 0.8em; align-items: flex-end; }
form.filters label, form.review label { display: block; font-weight: bold; }
input, select, textarea, button { font: inherit; padding: 0.3em; }
button { cursor: pointer; min-height: 24px; }
:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
th a { color: inherit; }
.stage { white-space: nowrap; }
.layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(20em, 2fr); gap: 1.5em; }
@media (max-width: 60em) { .layout { grid-template-columns: 1fr; } }
iframe.letter { width: 100%; height: 80vh; border: 1px solid #767676; }
.message { border-left: 0.4em solid #1e6b2f; background: #e9f5ec; padding: 0.5em 1em; }
.refused { border-left: 0.4em solid #b00020; background: #fdecee; padding: 0.5em 1em; }
pre.diff { background: #f6f6f6; padding: 0.5em; overflow-x: auto; }
.diff .added { color: #1e6b2f; } .diff .removed { color: #b00020; }
form.review { margin: 1em 0; }
form.review textarea { width: 100%; }
.buttons { display: flex; flex-wrap: wrap; gap: 0.5em; margin-top: 0.5em; }
"""

_LAYOUT = """<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title><style>{{ css }}</style></head>
<body>
<main>
{% block body %}{% endblock %}
</main>
</body>
</html>
"""

_REVIEWER = """
{% macro reviewer_field(reviewer) %}
{% if reviewer %}
<p>As <strong class="reviewer">{{ reviewer }}</strong>.</p>
{% else %}
<label for="reviewer-{{ caller() }}">Your name</label>
<input id="reviewer-{{ caller() }}" name="reviewer" required maxlength="300" autocomplete="name"
aria-describedby="reviewer-note-{{ caller() }}">
<p class="note" id="reviewer-note-{{ caller() }}">Asked once: this browser keeps it for your
next approvals.</p>
{% endif %}
{% endmacro %}
"""

_INDEX = """{% extends "layout" %}
{% block body %}
<h1>{{ title }}</h1>
<p class="note">The review desk of {{ data_dir }}: each letter's state, updated by itself
when a record, a build, an approval or a send changes it.</p>
{% if message %}<p class="message" role="status">{{ message }}</p>{% endif %}
{% if failure %}
<section class="problems" aria-labelledby="failure-heading">
<h2 id="failure-heading">The year cannot be read</h2><pre>{{ failure }}</pre></section>
{% endif %}
<nav class="counts" aria-label="Letters by state">
<ul>
<li><a href="/"{% if not current.state %} aria-current="true"{% endif %}>All: {{ total }}</a></li>
{% for stage in stages %}
<li><a class="count" data-stage="{{ stage }}" href="/?{{ query(state=stage) }}" title="{{ descriptions[stage] }}"{% if current.state == stage %} aria-current="true"{% endif %}>{{ stage | capitalize }}: <span class="number">{{ counts[stage] }}</span></a></li>
{% endfor %}
</ul>
</nav>
<p><a id="next" href="/_next">Next letter to review</a> ({{ to_review }} waiting: built, or
changed since approval)</p>
<form class="filters" method="get" action="/" role="search" aria-label="Filter the letters">
<div><label for="filter-state">State</label>
<select id="filter-state" name="state">
<option value="">Any</option>
<option value="to review"{% if current.state == "to review" %} selected{% endif %}>To review</option>
{% for stage in stages %}
<option value="{{ stage }}"{% if current.state == stage %} selected{% endif %}>{{ stage | capitalize }}</option>
{% endfor %}
</select></div>
<div><label for="filter-type">Type</label>
<select id="filter-type" name="type">
<option value="">Any</option>
{% for kind in types %}
<option value="{{ kind }}"{% if current.type == kind %} selected{% endif %}>{{ kind }}</option>
{% endfor %}
</select></div>
<div><label for="filter-search">Name or code</label>
<input id="filter-search" name="q" type="search" value="{{ current.q }}"></div>
<input type="hidden" name="sort" value="{{ current.sort }}">
<input type="hidden" name="order" value="{{ current.order }}">
<div><button type="submit">Filter</button></div>
</form>
<table class="desk">
<caption>{{ rows | length }} of {{ total }} letters{% if filtered %} (filtered){% endif %}</caption>
<thead><tr>
{% for key, label in columns %}
<th scope="col"{% if current.sort == key %} aria-sort="{{ "descending" if current.order == "desc" else "ascending" }}"{% endif %}>
<a href="/?{{ query(sort=key, order="desc" if current.sort == key and current.order != "desc" else "asc") }}">{{ label }}</a></th>
{% endfor %}
</tr></thead>
<tbody>
{% for row in rows %}
<tr id="council-{{ row.slug }}" data-stage="{{ row.stage }}">
<td class="council"><a href="/{{ row.slug }}/review">{{ row.name }}</a>{% if row.code %} <span class="note">{{ row.code }}</span>{% endif %}</td>
<td class="type">{{ row.type }}</td>
<td class="stage">{{ row.stage }}</td>
<td class="flags">{% for flag in row.flags[:2] %}{{ flag }}{% if not loop.last %}<br>{% endif %}{% endfor %}{% if row.flags | length > 2 %} <span class="note">and {{ row.flags | length - 2 }} more</span>{% endif %}</td>
<td class="approved-by">{{ row.approved_by }}{% if row.via %} <span class="note">({{ row.via }})</span>{% endif %}</td>
<td class="approved-at">{{ row.approved_at }}</td>
</tr>
{% endfor %}
</tbody></table>
{% if not rows %}<p>No letter matches these filters.</p>{% endif %}
{% endblock %}
"""

_LETTER = """{% extends "layout" %}{% from "reviewer" import reviewer_field %}
{% block body %}
<p><a href="/">All letters</a> · <a href="/_next?after={{ row.slug }}">Next letter to review</a></p>
<h1>{{ row.name }}: {{ year }} letter</h1>
{% if message %}<p class="message" role="status">{{ message }}{% if next_slug %} <a href="/{{ next_slug }}/review">Next letter to review</a>{% endif %}</p>{% endif %}
<div class="layout">
<section aria-labelledby="letter-heading">
<h2 id="letter-heading">The letter</h2>
<p><a href="/{{ row.slug }}">Open the letter on its own</a>{% if shown %} · <a href="/{{ row.slug }}.pdf">PDF</a>{% endif %}</p>
<iframe class="letter" src="/{{ row.slug }}" title="The letter to {{ row.name }}, as built"></iframe>
</section>
<div class="panel">
<section aria-labelledby="review-heading">
<h2 id="review-heading">Review</h2>
<p>State: <strong class="stage">{{ row.stage }}</strong>: {{ descriptions[row.stage] }}.</p>
{% if letter.approval %}
<p class="approval">Approved by {{ letter.approval.by }} at {{ letter.approval.at }}{% if row.via %} ({{ row.via }}){% endif %}.</p>
{% endif %}
{% if letter.changes %}<p>Changed since approval: {{ letter.changes | join("; ") }}.</p>{% endif %}
{% if approvable is none and not letter.approved %}
<form class="review approve" method="post" action="/{{ row.slug }}/approve">
<input type="hidden" name="token" value="{{ token }}">
<input type="hidden" name="shown" value="{{ shown }}">
{% call reviewer_field(reviewer) %}approve{% endcall %}
<div class="buttons">
<button type="submit" name="then" value="stay">Approve this letter</button>
<button type="submit" name="then" value="next">Approve, then the next letter</button>
</div>
</form>
{% elif not letter.approved %}
<p>It cannot be approved: {{ approvable }}.</p>
{% endif %}
{% if letter.approval %}
{% if unapprovable is none %}
<form class="review unapprove" method="post" action="/{{ row.slug }}/unapprove">
<input type="hidden" name="token" value="{{ token }}">
{% call reviewer_field(reviewer) %}unapprove{% endcall %}
<label for="reason">Why withdraw the approval (kept in the history)</label>
<textarea id="reason" name="reason" rows="3" required maxlength="3000"></textarea>
<div class="buttons"><button type="submit">Unapprove this letter</button></div>
</form>
{% else %}
<p>The approval stays: {{ unapprovable }}.</p>
{% endif %}
{% endif %}
{% if reviewer %}
<details><summary>Not {{ reviewer }}?</summary>
<form class="review" method="post" action="/_reviewer">
<input type="hidden" name="token" value="{{ token }}">
<input type="hidden" name="back" value="{{ row.slug }}">
<label for="new-reviewer">Your name</label>
<input id="new-reviewer" name="reviewer" required maxlength="300" autocomplete="name">
<div class="buttons"><button type="submit">Change the name</button></div>
</form></details>
{% endif %}
</section>
{% if changes %}
<section aria-labelledby="changes-heading">
<h2 id="changes-heading">What changed since approval</h2>
<pre class="diff">{% for line in changes %}<span class="{{ "added" if line.startswith("+") and not line.startswith("+++") else "removed" if line.startswith("-") and not line.startswith("---") else "same" }}">{{ line }}</span>
{% endfor %}</pre>
</section>
{% endif %}
<section aria-labelledby="figures-heading">
<h2 id="figures-heading">Figures</h2>
<table class="figures">
<caption>As the letter prints them{% if has_last_year %}, with {{ year - 1 }}'s beside them{% endif %}</caption>
<thead><tr><th scope="col">Figure</th><th scope="col">{{ year }}</th>
{% if has_last_year %}<th scope="col">{{ year - 1 }}</th>{% endif %}
<th scope="col">Source</th></tr></thead>
<tbody>
{% for figure in figures %}
<tr id="figure-{{ figure.name }}"><th scope="row">{{ figure.label }}</th>
<td class="number this-year">{{ figure.printed }}</td>
{% if has_last_year %}<td class="number last-year">{{ figure.last_year if figure.last_year is not none else "—" }}</td>{% endif %}
<td class="source">{{ figure.source or "" }}</td></tr>
{% endfor %}
</tbody></table>
</section>
<section aria-labelledby="flags-heading">
<h2 id="flags-heading">Flags</h2>
{% if flags %}
<ul class="flags">
{% for flag in flags %}<li class="flag{{ "" if flag.open else " checked" }}"><strong>{{ flag.kind | capitalize }}{{ "" if flag.open else ", checked" }}:</strong> {{ flag.message }}{% if flag.where %} <span class="note">({{ flag.where }})</span>{% endif %}</li>
{% endfor %}
</ul>
{% else %}<p>No flags.</p>{% endif %}
</section>
<section aria-labelledby="history-heading">
<h2 id="history-heading">History</h2>
{% if history %}
<table class="history">
<caption>Every approval and unapproval of this letter</caption>
<thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Who</th>
<th scope="col">From</th><th scope="col">Letter (HTML sha256)</th><th scope="col">Reason</th></tr></thead>
<tbody>
{% for entry in history %}
<tr><td>{{ entry.at }}</td><td>{{ "approved" if entry.action == "approve" else "unapproved" }}</td>
<td>{{ entry.by }}</td><td>{{ entry.via }}</td><td><code>{{ entry.html_sha256[:12] }}…</code></td>
<td>{{ entry.reason or "" }}</td></tr>
{% endfor %}
</tbody></table>
{% else %}<p>Never approved or unapproved{% if letter.approval %} in the desk or since the history was kept{% endif %}.</p>{% endif %}
</section>
</div>
</div>
{% endblock %}
"""

_ANSWER = """{% extends "layout" %}
{% block body %}
<h1>{{ title }}</h1>
<p class="refused" role="alert">{{ message }}</p>
<p>{% if slug %}<a href="/{{ slug }}/review">Reload the letter</a> · {% endif %}<a href="/">All letters</a></p>
{% endblock %}
"""

_ENV = jinja2.Environment(
    loader=jinja2.DictLoader(
        {
            "layout": _LAYOUT,
            "reviewer": _REVIEWER,
            "index": _INDEX,
            "letter": _LETTER,
            "answer": _ANSWER,
        }
    ),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

COLUMNS = (
    ("council", "Council"),
    ("type", "Type"),
    ("state", "State"),
    ("flags", "Flags"),
    ("approved_by", "Approved by"),
    ("approved_at", "Approved at"),
)


def _render(name: str, **context: Any) -> str:
    return _ENV.get_template(name).render(
        css=_CSS + _DESK_CSS, stages=STAGES, descriptions=DESCRIPTIONS, **context
    )


def index_page(current: Mapping[str, str], **context: Any) -> str:
    def query(**changed: str) -> str:
        values = {**current, **changed}
        return urlencode({k: v for k, v in values.items() if v})

    return _render("index", current=current, query=query, columns=COLUMNS, **context)


def letter_page(**context: Any) -> str:
    return _render("letter", **context)


def answer_page(title: str, message: str, slug: str | None = None) -> str:
    """A form's refusal: what was refused and why, and where to go from there."""
    return _render("answer", title=title, message=message, slug=slug)
