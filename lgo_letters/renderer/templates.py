"""The templates folder: a Jinja environment over it, and each year's letter format."""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from lgo_letters.context import numbers
from lgo_letters.errors import InputError, Problem, TemplateError
from lgo_letters.schema.formats import YearFormat

STYLESHEET = "static/letter.css"
PLACEHOLDER_SIGNATURE = "static/signature.svg"


@dataclass(frozen=True)
class LetterFormat:
    """templates/<year>/: the letter template and the format its records follow."""

    template: str  # name within the templates folder
    format: YearFormat

    @property
    def fields(self) -> frozenset[str]:
        """The optional top-level record fields the letter prints."""
        return self.format.fields


def make_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        long_date=numbers.long_date,
        short_date=numbers.short_date,
        counted=numbers.counted,
        plural=lambda noun, n: numbers.plural(noun, n),
        in_words=numbers.in_words,
        figure=numbers.figure,
        names_kept_whole=names_kept_whole,
    )
    return env


def with_plurals(env: jinja2.Environment, plurals: Mapping[str, str]) -> None:
    """`counted` and `plural` with a format's declared plurals (format.yaml `plural`):
    `{{ 8 | counted("remedy recommended") }}` is "8 remedies recommended"."""

    def counted(n: int, noun: str, words: bool = False) -> str:
        return numbers.counted(n, noun, words, plurals)

    def plural(noun: str, n: int) -> str:
        return numbers.plural(noun, n, plurals)

    env.filters = {**env.filters, "counted": counted, "plural": plural}


def names_kept_whole(names: Sequence[str]) -> Markup:
    """The names joined as in the salutation, each in an inline-block span: a long list
    breaks between names, never inside one (a name wider than the line still wraps)."""
    return numbers.join_names([Markup('<span class="name">{}</span>').format(n) for n in names])


def data_uri(file: Path) -> str:
    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(file.read_bytes()).decode('ascii')}"


class Templates:
    """One templates folder; cheap to create, meant to be reused for a whole build."""

    def __init__(self, templates_dir: Path):
        self.dir = templates_dir
        self.env = make_environment(templates_dir)
        self.env.globals["image"] = self.image
        self._stylesheet: str | None = None
        self._images: dict[str, str] = {}
        self._environments: dict[tuple[tuple[tuple[str, str], ...], bool], jinja2.Environment]
        self._environments = {}

    def environment(
        self, plurals: Mapping[str, str], autoescape: bool = True
    ) -> jinja2.Environment:
        """The environment a year's templates render in: its filters know the plurals the
        year's format declares; HTML is autoescaped, plain text (an email) is not. Made
        once for each format (each compiles the templates it renders once)."""
        key = (tuple(sorted(plurals.items())), autoescape)
        env = self._environments.get(key)
        if env is None:
            env = self.env.overlay(autoescape=autoescape)
            with_plurals(env, plurals)
            env = self._environments.setdefault(key, env)
        return env

    def letter_template(self, year: int) -> str:
        """The name of `year`'s letter template, or InputError when there is none."""
        template = self.dir / str(year) / "letter.html.j2"
        if not template.is_file():
            raise InputError(
                [Problem(template, None, None, "", f"there is no letter template for {year}")]
            )
        return f"{year}/letter.html.j2"

    def stylesheet(self) -> str:
        """The letters' stylesheet, read once (a new Templates sees an edited one)."""
        if self._stylesheet is None:
            try:
                self._stylesheet = (self.dir / STYLESHEET).read_text(encoding="utf-8")
            except OSError as error:
                raise TemplateError(f"{error.filename}: {error.strerror}") from None
        return self._stylesheet

    def image(self, name: str, inline: bool = False) -> str:
        """The image file `name` (within the templates folder), read once: how every image
        gets into a letter, so the letter stays one self-contained file.

        As a data: URI (for <img src> or a CSS background), or with `inline` an SVG's own
        markup, for the wordmark: inline, its text is part of the page and is read out in
        its place, first (as an <img> it would be a figure with alt text).
        """
        key = f"{name}:{inline}"
        if key not in self._images:
            file = self.dir / name
            self._images[key] = (
                Markup(file.read_text(encoding="utf-8").rstrip("\n")) if inline else data_uri(file)
            )
        return self._images[key]

    def placeholder_signature(self) -> str:
        return self.image(PLACEHOLDER_SIGNATURE)
