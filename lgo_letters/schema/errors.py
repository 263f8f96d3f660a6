"""Turn pydantic's validation errors into problems a person can act on."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from lgo_letters.errors import Problem
from lgo_letters.schema.yaml_reader import NotPlainNumber, YamlDocument, field_path

_TYPE_NAMES = {
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text",
    "bool_type": "true or false",
    "date_type": "a date written as YYYY-MM-DD",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
}


def describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _known_fields(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The field names allowed in the mapping at `loc` inside `model`."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return []
            annotation = field.annotation
        elif typing.get_origin(annotation) in (dict, list):
            annotation = typing.get_args(annotation)[-1]
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Optional[X] -> X, Annotated[X, ...] -> X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = options[0]
        else:
            return annotation


def _message(error: ErrorDetails, model: type[BaseModel]) -> str:
    kind = error["type"]
    value = error.get("input")
    loc = tuple(error["loc"])
    if kind == "extra_forbidden":
        known = _known_fields(model, loc[:-1])
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = f"; did you mean '{guess[0]}'?" if guess else ""
        source = getattr(model, "format_source", None)
        if len(loc) == 1 and source and not guess:
            # A record's top-level key: its year's format.yaml decides what has a place.
            return f"{source} has no place for {loc[-1]}"
        allowed = f" (allowed: {', '.join(known)})" if known and not guess else ""
        return f"unknown field{hint}{allowed}"
    if kind == "missing":
        return "required field is missing"
    if isinstance(value, NotPlainNumber) and kind in ("int_type", "int_from_float"):
        return value.advice()
    if kind in _TYPE_NAMES:
        return f"must be {_TYPE_NAMES[kind]}, not {describe(value)}"
    if kind == "greater_than_equal":
        return f"must be {error['ctx']['ge']} or more, not {describe(value)}"
    if kind == "less_than_equal":
        return f"must be {error['ctx']['le']} or less, not {describe(value)}"
    if kind == "literal_error":  # expected: "'county', 'district' or 'london'"
        choices = re.findall(r"'([^']*)'", error["ctx"]["expected"])
        return f"must be one of {', '.join(choices)}, not {describe(value)}"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    if kind in ("date_from_datetime_inexact", "date_from_datetime_parsing", "date_parsing"):
        return f"must be a date written as YYYY-MM-DD, not {describe(value)}"
    if kind == "value_error":  # our own validators' messages are written for people
        return str(error["ctx"]["error"])
    return f"{error['msg']} (value: {describe(value)})"


def problems_from_validation(
    error: ValidationError, document: YamlDocument, model: type[BaseModel]
) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        # Union members report under an extra loc part naming the type; drop it.
        loc = tuple(p for p in loc if not (isinstance(p, str) and p.endswith("]")))
        line, column = document.locate(loc)
        field = field_path(loc)
        problems.append(Problem(document.file, line, column, field, _message(item, model)))
    return sorted(set(problems))


def problem_at(document: YamlDocument, field: str, message: str) -> Problem:
    """A problem for the dotted `field` of `document`, located by its key."""
    loc = tuple(field.split(".")) if field else ()
    line, column = document.locate(loc)
    return Problem(document.file, line, column, field, message)
