"""JSON schemas of the files a person writes, for editors that check YAML as it is typed.

Made from the same pydantic models that `validate` uses, so an editor and `validate` agree
on names, types and limits; a year's council and year.yaml schemas come from that year's
format (templates/<year>/format.yaml), so a format's extra counts and facts are in them.
What a schema cannot say (a count larger than the count it is part of, a name on the
official list, YAML 1.1 forms) is left to `validate`.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from lgo_letters.schema.formats import YearFormat
from lgo_letters.schema.models import FormatRecord

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    return {"$schema": DRAFT, **schema, "title": title}


def editor_schemas(year_format: YearFormat) -> dict[str, str]:
    """File name → JSON text: a council's record, year.yaml and format.yaml."""
    year = year_format.year
    schemas = {
        "council.schema.json": _schema(
            year_format.record_model, f"A council's record of {year} (data/{year}/councils/)"
        ),
        "year.schema.json": _schema(year_format.year_model, f"data/{year}/year.yaml"),
        "format.schema.json": _schema(FormatRecord, f"templates/{year}/format.yaml"),
    }
    return {
        name: json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        for name, schema in schemas.items()
    }
