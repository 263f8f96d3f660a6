"""`formats schema YEAR`: JSON schemas for editors that accept the records `validate` accepts
and refuse the mistakes it refuses, made from the year's own format."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.errorcases import invoke
from tests.records import council


def _as_an_editor_reads_it(value: Any) -> Any:
    """YAML as a YAML 1.2 editor sees it: dates are text."""
    if isinstance(value, dict):
        return {key: _as_an_editor_reads_it(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_an_editor_reads_it(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def _load(file: Path) -> Any:
    return _as_an_editor_reads_it(yaml.safe_load(file.read_text(encoding="utf-8")))


def _schemas(root: Path, year: int) -> dict[str, jsonschema.Validator]:
    result = invoke(
        "formats", "schema", str(year), "--templates", str(root / "templates"),
        "--data", str(root / "data"), "--out", str(root / "output"),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    folder = root / "output" / "schema" / str(year)
    written = sorted(Path(line).name for line in result.stdout.splitlines())
    assert written == ["council.schema.json", "format.schema.json", "year.schema.json"]
    validators = {}
    for name in written:
        schema = json.loads((folder / name).read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        validators[name.split(".")[0]] = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
    return validators


def _errors(validator: jsonschema.Validator, document: Any) -> list[str]:
    """Each error as "where: what" (where: the path of the value, empty at the top)."""
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


@pytest.fixture
def project(new_project: Callable[..., Path]) -> Path:
    return new_project()


def test_every_valid_file_of_the_project_passes(project: Path) -> None:
    for year_folder in sorted((project / "data").iterdir()):
        year = int(year_folder.name)
        schemas = _schemas(project, year)
        records = sorted((year_folder / "councils").glob("*.yaml"))
        assert records, year_folder
        for record in records:
            assert _errors(schemas["council"], _load(record)) == [], record
        assert _errors(schemas["year"], _load(year_folder / "year.yaml")) == []
        fmt = project / "templates" / str(year) / "format.yaml"
        assert _errors(schemas["format"], _load(fmt)) == []


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"statistics": {"investigations": -1}}, "statistics/investigations"),
        ({"statistics": {"upheld": 2.5}}, "statistics/upheld"),
        ({"type": "parish"}, "type"),
        ({"code": "E0700010"}, "code"),
        ({"email": "chief.dartford.gov.uk"}, "email"),  # editors check addresses loosely
        ({"recipients": []}, "recipients"),
        ({"nickname": "x"}, ""),
    ],
)
def test_the_mistakes_validate_refuses_are_refused(
    project: Path, change: dict[str, Any], where: str
) -> None:
    schema = _schemas(project, 2021)["council"]
    record = council(code="E07000107", email=["chief@dartford.gov.uk"])
    assert _errors(schema, record) == []
    statistics = change.pop("statistics", {})
    broken = {**record, **change, "statistics": {**record["statistics"], **statistics}}
    errors = _errors(schema, broken)
    assert [error.split(":")[0] for error in errors] == [where], errors


def test_one_address_or_a_list_both_pass(project: Path) -> None:
    schema = _schemas(project, 2021)["council"]
    for email in ("chief@dartford.gov.uk", ["chief@dartford.gov.uk", "link@dartford.gov.uk"]):
        assert _errors(schema, council(email=email)) == []


def test_a_formats_extra_count_and_fact_are_in_its_schemas(project: Path) -> None:
    templates = project / "templates"
    shutil.copytree(templates / "2021", templates / "2030")
    fmt = templates / "2030" / "format.yaml"
    declared = yaml.safe_load(fmt.read_text())
    declared["statistics"]["early_resolutions"] = {"type": "count"}
    declared.setdefault("facts", {})["seminars"] = {"type": "count"}
    fmt.write_text(yaml.safe_dump(declared))

    schemas = _schemas(project, 2030)

    record = council()
    assert _errors(schemas["council"], record) == [
        "statistics: 'early_resolutions' is a required property"
    ]
    record["statistics"]["early_resolutions"] = 3
    assert _errors(schemas["council"], record) == []
    year_yaml = _load(project / "data" / "2021" / "year.yaml")
    facts = year_yaml.pop("facts", {})
    assert _errors(schemas["year"], year_yaml) == [": 'facts' is a required property"]
    year_yaml["facts"] = facts
    assert _errors(schemas["year"], year_yaml) == ["facts: 'seminars' is a required property"]
    year_yaml["facts"] = {**facts, "seminars": 4}
    assert _errors(schemas["year"], year_yaml) == []


def test_a_year_without_a_format_is_a_usage_error(project: Path) -> None:
    result = invoke("formats", "schema", "2031", "--templates", str(project / "templates"))
    assert result.code == 2
    assert "no format for 2031" in result.stderr
