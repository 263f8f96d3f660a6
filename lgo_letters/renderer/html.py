"""Letter context + template → the letter's HTML, and its self-contained form.

The template makes the document; the year's stylesheet (templates/static/letter.css) is
kept apart from it, so the PDF renderer gets it as a stylesheet (parsed once for every
letter) and only the HTML file carries it inline, in a <style> element at the end of
<head>. The cascade is the same both ways: the stylesheet comes after anything the
document itself declares. The HTML file also carries the letter's font (renderer/webfont.py)
in a <style> element of its own, just before: WeasyPrint never sees it.
"""

from __future__ import annotations

import jinja2

from lgo_letters.context.letter import LetterContext
from lgo_letters.errors import TemplateError
from lgo_letters.renderer.templates import LetterFormat, Templates

__all__ = ["TemplateError", "render_html", "render_template", "with_stylesheet"]

_END_OF_HEAD = "</head>"


def render_html(templates: Templates, letter_format: LetterFormat, letter: LetterContext) -> str:
    """The letter's HTML document (without its stylesheet), or TemplateError naming the
    template's file and line (see render_template)."""
    document = render_template(templates, letter_format.template, letter)
    if _END_OF_HEAD not in document:
        raise TemplateError(
            f"{templates.dir / letter_format.template}: the letter has no {_END_OF_HEAD}, "
            "so its stylesheet has no place"
        )
    return document


def render_template(
    templates: Templates, name: str, letter: LetterContext, *, autoescape: bool = True
) -> str:
    """`templates/<name>` rendered for `letter`, or TemplateError naming the template's file
    and line. Any exception while rendering is the template's fault for this letter (a
    filter given the wrong value, a division by zero, endless recursion), so every one
    becomes a TemplateError: the caller loses this letter, never the run."""
    env = templates.env if autoescape else templates.env.overlay(autoescape=False)
    try:
        return env.get_template(name).render(letter=letter)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(
            f"{templates.dir / (error.name or name)}:{error.lineno}: "
            f"template syntax error: {error.message}"
        ) from None
    except jinja2.TemplateNotFound as error:
        missing = error.name if isinstance(error.name, str) else name
        raise TemplateError(f"{templates.dir / missing}: template not found") from None
    except jinja2.TemplateError as error:
        raise TemplateError(f"{_template_location(templates, error)}: {error}") from None
    except OSError as error:  # e.g. an included image is missing
        raise TemplateError(f"{error.filename or templates.dir}: {error.strerror}") from None
    except Exception as error:
        where = _template_location(templates, error)
        raise TemplateError(f"{where}: {type(error).__name__}: {error}") from None


def style_text(stylesheet: str) -> str:
    """The text of the letter's <style> element in the HTML file."""
    return f"\n{stylesheet}\n"


def with_stylesheet(document: str, style: str, fonts: str = "") -> str:
    """The document with a <style> element holding `style` (the text of style_text(), or
    a stand-in for it) at the end of its <head>, and before it, when given, one holding
    `fonts` (the @font-face rules of renderer/webfont.py)."""
    elements = f"<style>{fonts}</style>\n" if fonts else ""
    elements += f"<style>{style}</style>\n"
    return document.replace(_END_OF_HEAD, f"{elements}{_END_OF_HEAD}", 1)


def _template_location(templates: Templates, error: Exception) -> str:
    """The innermost template frame of the traceback, as file:line."""
    traceback = error.__traceback__
    where = str(templates.dir)
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if filename.startswith(str(templates.dir)):
            where = f"{filename}:{traceback.tb_lineno}"
        traceback = traceback.tb_next
    return where
