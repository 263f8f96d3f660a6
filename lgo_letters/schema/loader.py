"""Read one year's records from data/<year>/ into validated models.

Every problem in every file is collected, so that one run reports them all; a council
whose record has a problem is left out, and the others carry on.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import time
import typing
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from lgo_letters.caches import FileDigests, JsonCache, KeyedCache
from lgo_letters.errors import InputError, Problem
from lgo_letters.hashing import code_version, json_sha256, sha256_bytes
from lgo_letters.schema.errors import describe, problem_at, problems_from_validation
from lgo_letters.schema.formats import YearFormat, check_format, check_record, make_format
from lgo_letters.schema.models import CouncilRecord, FormatRecord, GoldenSettings, YearRecord
from lgo_letters.schema.names import name_key
from lgo_letters.schema.slugs import record_file_problem
from lgo_letters.schema.yaml_reader import (
    YamlDocument,
    parse_yaml_bytes,
    read_file_bytes,
    read_regular_file,
    read_yaml,
)

M = TypeVar("M", bound=BaseModel)
# A signature is a small picture: a few hundred pixels a side, tens of kilobytes.
MAX_IMAGE_BYTES = 5_000_000
IMAGE_PIXELS = (10, 10_000)  # the least and most pixels a side


def record_sha256(record: BaseModel) -> str:
    """The sha256 of a record as validated (so a comment added to its file changes
    nothing): what a letter's sources and an approval say of its record."""
    return sha256_bytes(record.model_dump_json())


@dataclass(frozen=True)
class CouncilEntry:
    slug: str
    file: Path
    record: CouncilRecord
    # record_sha256(record), made once (the records cache keeps it with the record).
    sha256: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.sha256:
            object.__setattr__(self, "sha256", record_sha256(self.record))


@dataclass
class YearRecords:
    """What data/<year>/ holds: the year's record, the valid councils and every problem."""

    year: int
    year_file: Path
    year_record: YearRecord | None
    councils: dict[str, CouncilEntry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Slugs whose files exist but could not be used.
    failed: dict[str, list[Problem]] = field(default_factory=dict)


def _validate(file: Path, model: type[M]) -> tuple[YamlDocument, M]:
    return _validated(read_yaml(file), model)


def _validated(document: YamlDocument, model: type[M]) -> tuple[YamlDocument, M]:
    if not isinstance(document.data, dict):
        raise InputError(
            [
                problem_at(
                    document,
                    "",
                    (
                        "the file must hold a mapping of keys to values, "
                        f"not {describe(document.data)}"
                    ),
                )
            ]
        )
    try:
        return document, model.model_validate(document.data)
    except ValidationError as error:
        raise InputError(problems_from_validation(error, document, model)) from None


def load_year_record(file: Path, year_format: YearFormat) -> YearRecord:
    if not file.exists():
        raise InputError([Problem(file, None, None, "", "the year's file is missing")])
    document, record = _validate(file, year_format.year_model)
    if record.signature_image:
        image = file.parent / record.signature_image
        # The image is read into every letter: it must live in the data folder.
        data_root = file.parent.parent.resolve()
        if not image.resolve().is_relative_to(data_root):
            raise InputError(
                [
                    problem_at(
                        document, "signature_image", f"must be a file inside {file.parent.parent}"
                    )
                ]
            )
        if not image.exists():
            raise InputError([problem_at(document, "signature_image", f"no image file at {image}")])
        reason = _not_an_image(image)
        if reason is not None:
            raise InputError([problem_at(document, "signature_image", f"{image}: {reason}")])
    if record.councils_list:
        listed = file.parent / record.councils_list
        if not listed.resolve().is_relative_to(file.parent.parent.resolve()):
            raise InputError(
                [
                    problem_at(
                        document, "councils_list", f"must be a file inside {file.parent.parent}"
                    )
                ]
            )
        if not listed.is_file():
            raise InputError([problem_at(document, "councils_list", f"no file at {listed}")])
    return record


def _not_an_image(image: Path) -> str | None:
    """Why `image` cannot be shown as the signature (None when it can): it must be a
    regular file that decodes whole as a picture of sensible size. An image that fails
    would leave only its alt text in the letter, with no error."""
    try:
        data = read_regular_file(image, MAX_IMAGE_BYTES)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    except ValueError as error:
        return f"cannot be read: it is {error}"
    if len(data) > MAX_IMAGE_BYTES:
        return f"is larger than {MAX_IMAGE_BYTES // 1_000_000} MB; a signature image is far smaller"
    if image.suffix.lower() == ".svg":
        return _not_an_svg(data)
    from PIL import Image, UnidentifiedImageError

    try:
        # verify() reads the whole file's structure: it fails on a truncated file even
        # where WeasyPrint has told Pillow to accept truncated images.
        with Image.open(io.BytesIO(data)) as picture:
            picture.verify()
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()  # decodes every pixel
            width, height = picture.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        first = data[:80].decode("ascii", "replace").splitlines()[0] if data else ""
        hint = " (a git-LFS pointer: run `git lfs pull`)" if "git-lfs" in first else ""
        return f"is not an image that can be decoded{hint}: {error}"
    except Image.DecompressionBombError:
        return "is far too large an image"
    least, most = IMAGE_PIXELS
    if not (least <= width <= most and least <= height <= most):
        return f"is {width}×{height} pixels; a signature is {least} to {most:,} pixels a side"
    return None


def _not_an_svg(data: bytes) -> str | None:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return "an SVG with a DOCTYPE or entities is not accepted"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        return f"is not a well-formed SVG image ({error})"
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        return "is not an SVG image (its root element is not <svg>)"
    return None


def load_council(file: Path, year_format: YearFormat) -> CouncilRecord:
    """One council's record, validated against its year's format, or InputError with every
    problem found in it."""
    return validate_council(read_yaml(file), year_format)


# The packages that decide what a record file reads as, besides lgo-letters' own code.
_READING_PACKAGES = ("pyyaml", "pydantic", "pydantic-core", "email-validator")


class RecordsCache(JsonCache[list[Any]]):
    """records.json: each valid record, as validated, by the sha256 of its file's bytes:
    [the record's record_sha256, the record as model_dump(mode="json", exclude_unset=True)
    gives it] (the whole file is parsed at once: 20,000 records, a tenth of a second less
    than one text each to parse again); with record-files.json, the sha256 of each record
    file by its device, inode, size and times (caches.FileDigests), so that an unchanged
    file is not even read."""

    def __init__(self, folder: Path, version: str):
        super().__init__(folder / "records.json", "records", version, keep_unused=False)
        files = KeyedCache(folder / "record-files.json", "record-files", "1", keep_unused=False)
        self.files = FileDigests(files)

    def holds(self, value: object) -> bool:
        return (
            isinstance(value, list)
            and len(value) == 2
            and isinstance(value[0], str)
            and isinstance(value[1], dict)
        )

    def save(self) -> None:
        super().save()
        self.files.save()


def records_cache(folder: Path, year_format: YearFormat) -> RecordsCache:
    """The cache of a year's valid records (in the year's cache folder). Valid only for the
    year's format as it is and this very code: any change to either and it is ignored."""
    version = json_sha256(
        [code_version(*_READING_PACKAGES), year_format.year, year_format.declared.model_dump()]
    )
    return RecordsCache(folder, version)


def _cached_council(
    file: Path, year_format: YearFormat, cache: RecordsCache | None, known: str | None = None
) -> tuple[CouncilRecord, str]:
    """load_council, through `cache`, with the record's record_sha256: a file whose bytes
    were read before as a valid record is not parsed and checked again. Only valid records
    are kept; the bytes hashed are the bytes parsed, so a file that changes meanwhile is
    never taken for the one cached (RecordsCache says what an entry holds). `known`: the
    sha256 of the file's bytes, when cache.files knows it (FileDigests.known_in)."""
    if cache is None:
        record = load_council(file, year_format)
        return record, record_sha256(record)
    raw = None
    digest = known
    cached = cache.get(digest) if digest is not None else None
    if digest is None or cached is None:
        raw, digest = _read_hashed(file, cache.files)
        cached = cache.get(digest)
    if cached is not None:
        record_digest, values = cached
        try:
            return _restored(year_format.record_model, values), record_digest
        except (ValueError, TypeError, KeyError, AttributeError):  # not of this format
            cache.forget(digest)
    if raw is None:
        raw, digest = _read_hashed(file, cache.files)
    record = validate_council(parse_yaml_bytes(file, raw), year_format)
    record_digest = record_sha256(record)
    cache.put(digest, [record_digest, record.model_dump(mode="json", exclude_unset=True)])
    return record, record_digest


def _read_hashed(file: Path, files: FileDigests) -> tuple[bytes, str]:
    """The record file's bytes and their sha256, which `files` keeps (by the file's size,
    times and inode) only when those stood still while it was read."""
    hashed_at = time.time_ns()
    try:
        before = os.stat(file)
    except OSError:
        before = None  # read_file_bytes says why
    raw = read_file_bytes(file)
    digest = sha256_bytes(raw)
    if before is not None:
        files.note(file, before, hashed_at, digest)
    return raw, digest


def _restored(model: type[M], data: dict[str, Any]) -> M:
    """A model from what model_dump(mode="json", exclude_unset=True) made of it, when the
    model validated those very values before (the records cache): not validated again, which
    would run every text and address check of every record once more. Nested models and
    dates (the only values JSON does not give back as they were) are made again."""
    plan = _restoring(model)
    if not plan.required <= data.keys() <= plan.defaults.keys():
        raise KeyError("not a record of this model")
    # Every field in the model's order (as validation leaves them), with its value or
    # its default: what model_construct makes, at a fraction of its cost (a year of
    # records is read from the cache in the time model_construct takes for a third).
    values = {**plan.defaults, **data}
    for name, kind in plan.nested.items():
        if name in data:
            values[name] = _restored(kind, data[name])
    for name in plan.dates:
        if data.get(name) is not None:
            values[name] = dt.date.fromisoformat(data[name])
    for name, spec in plan.made.items():
        if name not in data:
            empty = plan.empty.get(name)
            values[name] = (
                empty()
                if empty is not None
                else spec.get_default(call_default_factory=True, validated_data=values)
            )
    if not plan.plain:
        return model.model_construct(_fields_set=set(data), **values)
    restored = model.__new__(model)
    object.__setattr__(restored, "__dict__", values)
    object.__setattr__(restored, "__pydantic_fields_set__", set(data))
    object.__setattr__(restored, "__pydantic_extra__", None)
    object.__setattr__(restored, "__pydantic_private__", None)
    return restored


@dataclass(frozen=True)
class _Restoring:
    """How to make a model of validated values again (see _restored)."""

    # Every field, in the model's order: its default where it is a value that cannot
    # change (None, a number, a text); None for the others, given or made in _restored.
    defaults: dict[str, object]
    required: frozenset[str]
    made: dict[str, FieldInfo]  # the fields whose default is made afresh for each model
    # Of those, the ones whose default is an empty list or mapping: a new one, as
    # get_default would copy it.
    empty: dict[str, type[list[Any]] | type[dict[Any, Any]]]
    nested: dict[str, type[BaseModel]]  # the fields that hold a model
    dates: tuple[str, ...]  # the fields that hold a date
    # No alias, extra field, private attribute or post-init hook: model_construct would do
    # no more than set the values.
    plain: bool


@functools.lru_cache(maxsize=32)  # a year's models are made anew each time it is read
def _restoring(model: type[BaseModel]) -> _Restoring:
    fields = model.model_fields
    nested: dict[str, type[BaseModel]] = {}
    dates = []
    for name, spec in fields.items():
        kinds = typing.get_args(spec.annotation) or (spec.annotation,)
        for kind in kinds:
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                nested[name] = kind
        if dt.date in kinds:
            dates.append(name)

    def constant(spec: FieldInfo) -> bool:
        default = spec.default
        return spec.default_factory is None and (
            default is None or type(default) in (bool, int, float, str, dt.date)
        )

    required = frozenset(name for name, spec in fields.items() if spec.is_required())
    made = {
        name: spec for name, spec in fields.items() if name not in required and not constant(spec)
    }
    plain = (
        model.model_config.get("extra") != "allow"
        and not model.__pydantic_root_model__
        and not model.__pydantic_post_init__
        and not model.__private_attributes__
        and all(spec.alias is None and spec.validation_alias is None for spec in fields.values())
    )
    defaults = {
        name: None if name in required or name in made else spec.default
        for name, spec in fields.items()
    }
    empty: dict[str, type[list[Any]] | type[dict[Any, Any]]] = {
        name: type(spec.default)
        for name, spec in made.items()
        if spec.default_factory is None and type(spec.default) in (list, dict) and not spec.default
    }
    return _Restoring(defaults, required, made, empty, nested, tuple(dates), plain)


def validate_council(document: YamlDocument, year_format: YearFormat) -> CouncilRecord:
    """A council record's data as read (or as `import` would write it), validated against
    its year's format."""
    document, record = _validated(document, year_format.record_model)
    findings = check_record(record, year_format.declared)
    if findings:
        raise InputError([problem_at(document, f, message) for f, message in findings])
    return record


def load_format(file: Path, year: int) -> YearFormat:
    """A year's templates/<year>/format.yaml, validated (its own errors located), or
    InputError."""
    if not file.is_file():
        message = "missing: every year's templates declare its records' fields in format.yaml"
        raise InputError([Problem(file, None, None, "", message)])
    document, declared = _validate(file, FormatRecord)
    findings = check_format(declared)
    if findings:
        raise InputError(sorted(problem_at(document, f, message) for f, message in findings))
    return make_format(year, file, declared)


# A year's format is templates/<year>/format.yaml.
FORMAT_FILE = "format.yaml"


def load_year_format(templates_dir: Path, year: int) -> YearFormat:
    """The format of `year` in a templates folder (templates/<year>/format.yaml), or
    InputError."""
    return load_format(templates_dir / str(year) / FORMAT_FILE, year)


def other_formats(templates_dir: Path, year: int) -> list[FormatRecord]:
    """The formats of the templates folder's other years, newest first, each as declared;
    a year whose format cannot be read is left out (it is that year's problem)."""
    folders = (p for p in templates_dir.iterdir() if p.name.isdigit() and p.name != str(year))
    formats = []
    for folder in sorted(folders, key=lambda p: int(p.name), reverse=True):
        try:
            formats.append(load_year_format(templates_dir, int(folder.name)).declared)
        except InputError:
            continue
    return formats


# A year's golden checks live in its data folder: data/<year>/golden/ holds the golden
# files, its settings.yaml and, in cases/, the edge-case records.
GOLDEN_FOLDER = "golden"
EDGE_CASES_FOLDER = "cases"
GOLDEN_SETTINGS_FILE = "settings.yaml"


def golden_folder(year_dir: Path) -> Path:
    return year_dir / GOLDEN_FOLDER


def edge_case_files(year_dir: Path) -> list[Path]:
    """The year's golden edge-case records, data/<year>/golden/cases/*.yaml."""
    return record_files(golden_folder(year_dir) / EDGE_CASES_FOLDER)


def load_golden_settings(file: Path) -> tuple[YamlDocument, GoldenSettings]:
    """data/<year>/golden/settings.yaml, validated (with the document, to locate what the
    caller finds wrong in it), or InputError."""
    return _validate(file, GoldenSettings)


def council_files(year_dir: Path) -> list[Path]:
    """Every file in councils/ that looks meant as a record (see record_files)."""
    return record_files(year_dir / "councils")


def record_files(folder: Path) -> list[Path]:
    """Every file in `folder` that looks meant as a record: named *.yaml or *.yml in any
    case (so "Dartford.YAML" is reported, not silently skipped); hidden files are not."""
    if not folder.is_dir():
        return []
    # By name, as text: all in one folder, so as Paths would sort, at a fraction of the cost.
    names = sorted(
        name
        for name in os.listdir(folder)
        if name.lower().endswith((".yaml", ".yml")) and not name.startswith(".")
    )
    return [folder / name for name in names]


def load_year(
    year_dir: Path, year: int, year_format: YearFormat, cache: RecordsCache | None = None
) -> YearRecords:
    """The year's file and every council record of data/<year>/, with every problem;
    valid records already in `cache` (records_cache) are taken from it."""
    year_file = year_dir / "year.yaml"
    records = YearRecords(year, year_file, None)
    try:
        records.year_record = load_year_record(year_file, year_format)
    except InputError as error:
        records.problems.extend(error.problems)

    files = council_files(year_dir)
    known = cache.files.known_in(year_dir / "councils") if cache is not None else {}
    if not files:
        records.problems.append(
            Problem(year_dir / "councils", None, None, "", "no council records (*.yaml) found")
        )
    for file in files:
        slug = file.stem
        try:
            if (message := record_file_problem(file.name)) is not None:
                raise InputError([Problem(file, None, None, "", message)])
            record, record_digest = _cached_council(file, year_format, cache, known.get(file.name))
        except InputError as error:
            records.problems.extend(error.problems)
            records.failed.setdefault(slug, []).extend(error.problems)
            continue
        records.councils[slug] = CouncilEntry(slug, file, record, record_digest)
    _fail_duplicates(records)
    if cache is not None:
        cache.save()
    return records


def _fail_duplicates(records: YearRecords) -> None:
    """Two files for one council: neither is built, as we cannot know which is right."""
    by_name: dict[str, list[CouncilEntry]] = {}
    for entry in records.councils.values():
        by_name.setdefault(name_key(entry.record.name), []).append(entry)
    for entries in by_name.values():
        if len(entries) < 2:
            continue
        for entry in entries:
            others = ", ".join(str(e.file) for e in entries if e is not entry)
            problem = Problem(
                entry.file,
                *_name_position(entry.file),
                "name",
                (
                    f"'{entry.record.name}' also has a record in {others}: keep one file per "
                    "council (neither letter is built until then)"
                ),
            )
            records.problems.append(problem)
            records.failed[entry.slug] = [problem]
            del records.councils[entry.slug]


def _name_position(file: Path) -> tuple[int | None, int | None]:
    try:
        return read_yaml(file).locate(("name",))
    except InputError:  # changed since it was read; the file alone still says enough
        return None, None
