"""Letter context + template → a self-contained HTML letter."""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from lgo_letters.context.letter import LetterContext
from lgo_letters.errors import TemplateError
from lgo_letters.renderer.templates import LetterFormat, Templates

__all__ = ["TemplateError", "render_html"]


def render_html(templates: Templates, letter_format: LetterFormat, letter: LetterContext) -> str:
    """The letter's HTML, or TemplateError naming the template's file and line.

    Any exception while rendering is the template's fault for this letter (a filter given
    the wrong value, a division by zero, endless recursion), so every one becomes a
    TemplateError: the caller loses this letter, never the run.
    """
    try:
        template = templates.env.get_template(letter_format.template)
        # The stylesheet is template content, trusted like the templates themselves.
        return template.render(letter=letter, stylesheet=Markup(templates.stylesheet()))
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(
            f"{templates.dir / (error.name or letter_format.template)}:{error.lineno}: "
            f"template syntax error: {error.message}"
        ) from None
    except jinja2.TemplateNotFound as error:
        raise TemplateError(f"{templates.dir / error.name}: template not found") from None
    except jinja2.TemplateError as error:
        raise TemplateError(f"{_template_location(templates, error)}: {error}") from None
    except OSError as error:  # e.g. the stylesheet or an included image is missing
        raise TemplateError(f"{error.filename or templates.dir}: {error.strerror}") from None
    except Exception as error:
        where = _template_location(templates, error)
        raise TemplateError(f"{where}: {type(error).__name__}: {error}") from None


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
