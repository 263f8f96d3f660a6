"""What earlier runs learned, kept under <out>/.cache/<year>/: valid records by their file's
sha256, each letter's HTML digest by what it is made from, each output file's sha256 by its
stat. A cache is only ever a shortcut: damaged, of another version, or written by two runs
at once, it never makes a command's answer differ from what it is without it."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from lgo_letters import caches
from lgo_letters.build.options import BuildOptions
from lgo_letters.build.plan import Remembered, plan_letters
from lgo_letters.caches import FileDigests, KeyedCache, cache_folder, file_digests
from lgo_letters.hashing import sha256_bytes
from lgo_letters.inputs import HtmlDigests, letter_sources, year_sources
from lgo_letters.letter import Letter, make_letter
from lgo_letters.manifest import MANIFEST, Manifest
from lgo_letters.project import Paths, prepare_year
from lgo_letters.schema.loader import load_format, records_cache
from tests.errorcases import invoke
from tests.records import council, council_yaml

YEAR = 2021


@pytest.fixture
def paths(new_project: Callable[..., Path]) -> Paths:
    """The tests' own project (copied), with three more councils of 2021."""
    root = new_project("project")
    for name, kind in (("Ashby", "district"), ("Barnfield", "county"), ("Carrow", "county")):
        record = council(name=f"{name} Council", type=kind, email=[f"ceo@{name.lower()}.gov.uk"])
        file = root / "data" / str(YEAR) / "councils" / f"{name.lower()}.yaml"
        file.write_text(council_yaml(record), encoding="utf-8")
    return Paths(root / "data", root / "templates", root / "output")


def records_file(paths: Paths) -> Path:
    return cache_folder(paths.out, YEAR) / "records.json"


def records_of(paths: Paths) -> dict[str, str]:
    """Each valid record as JSON (each reading of a year makes its own record classes)."""
    prepared = prepare_year(paths, YEAR, cache=True)
    return {s: e.record.model_dump_json() for s, e in prepared.records.councils.items()}


# --- the cache file ------------------------------------------------------------------------


def test_a_cache_keeps_its_entries_for_its_version_only(tmp_path: Path) -> None:
    file = tmp_path / "cache" / "things.json"
    cache = KeyedCache(file, "things", "v1")
    cache.put("a", "1")
    cache.save()
    assert KeyedCache(file, "things", "v1").get("a") == "1"
    assert KeyedCache(file, "things", "v2").get("a") is None  # another version: ignored
    assert KeyedCache(file, "others", "v1").get("a") is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut short
        lambda text: text.replace('"1"', '"2"'),  # edited without its checksum
        lambda text: "not json\n{}\n",
        lambda text: "",
        lambda text: text.split("\n", 1)[0] + "\n[1, 2]\n",
    ],
)
def test_a_damaged_cache_is_ignored(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "things.json"
    cache = KeyedCache(file, "things", "v1")
    cache.put("a", "1")
    cache.save()
    file.write_text(damage(file.read_text()))
    assert KeyedCache(file, "things", "v1").get("a") is None


def test_a_cache_that_cannot_be_read_or_written_costs_nothing(tmp_path: Path) -> None:
    file = tmp_path / "things.json"
    file.mkdir()  # a folder where the file should be
    cache = KeyedCache(file, "things", "v1")
    assert cache.get("a") is None
    cache.put("a", "1")
    cache.save()  # no exception: it is only a cache
    assert file.is_dir()


def _save_many(file: Path, value: str) -> None:
    for index in range(30):
        cache = KeyedCache(file, "things", "v1", keep_unused=False)
        for key in range(200):
            cache.put(f"{key}", f"{value}{index}")
        cache.save()


def test_two_runs_writing_at_once_leave_one_whole_cache(tmp_path: Path) -> None:
    file = tmp_path / "things.json"
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_save_many, args=(file, v)) for v in ("x", "y")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    entries = KeyedCache(file, "things", "v1").entries()
    assert len(entries) == 200  # the whole of one run's cache, never a mixture or half
    assert len({value[0] for value in entries.values()}) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["things.json"]


def test_a_run_killed_while_writing_leaves_the_cache_it_replaced(tmp_path: Path) -> None:
    file = tmp_path / "things.json"
    cache = KeyedCache(file, "things", "v1")
    cache.put("a", "1")
    cache.save()
    # What a run killed while writing leaves: its temporary file, half written, beside the
    # cache (writes go to a temporary file renamed into place: lgo_letters/output.py).
    leftover = tmp_path / ".things.json.lgo-letters-abcd1234.tmp"
    leftover.write_text('{"cache": "things", "format": 1, "ver')
    assert KeyedCache(file, "things", "v1").get("a") == "1"
    old = time.time() - 3600
    os.utime(leftover, (old, old))
    again = KeyedCache(file, "things", "v1")
    again.put("b", "2")
    again.save()  # and the next save clears away what the killed run left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["things.json"]


# --- validated records ---------------------------------------------------------------------


def test_records_read_from_the_cache_are_the_records_read_from_their_files(paths: Paths) -> None:
    cold = prepare_year(paths, YEAR, cache=False)
    assert not records_file(paths).exists()  # cache=False: nothing written
    first = prepare_year(paths, YEAR, cache=True)
    assert records_file(paths).is_file()
    warm = prepare_year(paths, YEAR, cache=True)
    for prepared in (first, warm):
        assert prepared.records.councils.keys() == cold.records.councils.keys()
        for slug, entry in cold.records.councils.items():
            again = prepared.records.councils[slug].record
            assert type(again).__name__ == type(entry.record).__name__
            assert list(again.__dict__) == list(entry.record.__dict__)
            assert again.model_dump() == entry.record.model_dump()
            assert again.model_dump_json() == entry.record.model_dump_json()
            assert again.model_fields_set == entry.record.model_fields_set
            letter, made = make_letter(prepared, slug), make_letter(cold, slug)
            assert isinstance(letter, Letter) and isinstance(made, Letter)
            assert letter.html == made.html
        assert prepared.averages == cold.averages


def test_only_the_cache_folder_is_written(paths: Paths) -> None:
    assert invoke("validate", "2021", *_folders(paths)).code == 0
    written = sorted(str(p.relative_to(paths.out)) for p in paths.out.rglob("*"))
    # (record-files.json too, once the records have stood unchanged a while)
    assert {".cache", ".cache/2021", ".cache/2021/records.json"} <= set(written)
    assert set(written) <= {
        ".cache",
        ".cache/2021",
        ".cache/2021/records.json",
        ".cache/2021/record-files.json",
    }


def _folders(paths: Paths) -> list[str]:
    return ["--data", str(paths.data), "--templates", str(paths.templates), "--out", str(paths.out)]


def test_a_changed_record_is_read_again_even_at_the_same_size_and_time(paths: Paths) -> None:
    file = paths.data / str(YEAR) / "councils" / "ashby.yaml"
    assert '"upheld":5' in records_of(paths)["ashby"]
    stat = file.stat()
    file.write_text(file.read_text().replace("upheld: 5", "upheld: 6"))
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert file.stat().st_size == stat.st_size
    assert '"upheld":6' in records_of(paths)["ashby"]
    # Made invalid: reported, though its valid former self is still in the cache.
    file.write_text(file.read_text().replace("upheld: 6", "upheld: 60"))
    prepared = prepare_year(paths, YEAR, cache=True)
    assert "ashby" in prepared.records.failed
    assert any("upheld" in str(p) for p in prepared.problems)


def test_an_unchanged_record_is_not_read_and_an_edited_one_always_is(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lgo_letters.schema import loader

    read: list[str] = []
    real = loader.read_file_bytes

    def counting(file: Path) -> bytes:
        read.append(file.stem)
        return real(file)

    monkeypatch.setattr(loader, "read_file_bytes", counting)
    monkeypatch.setattr(caches, "SETTLED_NS", 0)  # as if the files had been there a while
    expected = records_of(paths)
    assert "ashby" in read and (cache_folder(paths.out, YEAR) / "record-files.json").is_file()
    read.clear()
    assert records_of(paths) == expected
    assert read == []  # each file's sha256 known by its inode, size and times
    # Edited, the same size, its modification time put back: its change time moved.
    file = paths.data / str(YEAR) / "councils" / "ashby.yaml"
    stat = file.stat()
    file.write_text(file.read_text().replace("upheld: 5", "upheld: 6"))
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (file.stat().st_size, file.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert '"upheld":6' in records_of(paths)["ashby"]
    assert read == ["ashby"]
    # Replaced by another file (another inode) of the same size and times: read again.
    read.clear()
    other = file.with_name("ashby.new")
    other.write_text(file.read_text().replace("upheld: 6", "upheld: 7"))
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    other.replace(file)
    assert '"upheld":7' in records_of(paths)["ashby"] and read == ["ashby"]
    # A damaged cache of the files' sha256 is ignored: every file is read.
    read.clear()
    (cache_folder(paths.out, YEAR) / "record-files.json").write_text("damaged\n{}\n")
    again = records_of(paths)
    assert sorted(read) == sorted(again) == sorted(expected)


def test_the_records_cache_is_of_one_format_and_one_version_of_the_code(paths: Paths) -> None:
    format_file = paths.templates / str(YEAR) / "format.yaml"
    version = records_cache(tmp := paths.out, load_format(format_file, YEAR)).header["version"]
    format_file.write_text(format_file.read_text() + "\n# a comment changes nothing\n")
    assert records_cache(tmp, load_format(format_file, YEAR)).header["version"] == version
    text = format_file.read_text().replace("noun: training course", "noun: course")
    assert text != format_file.read_text()
    format_file.write_text(text)
    assert records_cache(tmp, load_format(format_file, YEAR)).header["version"] != version


def test_a_cache_entry_of_another_making_is_read_from_the_file_instead(paths: Paths) -> None:
    expected = records_of(paths)
    file = records_file(paths)
    header, body = file.read_text().rstrip("\n").split("\n", 1)
    entries = json.loads(body)
    for key in entries:  # a field no record has, under a checksum that matches
        record_sha256, values = entries[key]  # as schema/loader.py keeps it
        entries[key] = [record_sha256, {**values, "unheard_of": 1}]
    body = json.dumps(entries, sort_keys=True, separators=(",", ":"))
    said = {**json.loads(header), "sha256": sha256_bytes(body)}
    file.write_text(json.dumps(said, sort_keys=True) + "\n" + body + "\n")
    assert records_of(paths) == expected
    file.write_text("garbage")
    assert records_of(paths) == expected


# --- what a letter is made from, and an up-to-date build that renders nothing ---------------


def test_a_letters_sources_key_changes_with_each_thing_it_is_made_from(paths: Paths) -> None:
    def key(slug: str = "ashby") -> str:
        prepared = prepare_year(paths, YEAR, cache=True)
        return letter_sources(prepared, year_sources(prepared), slug).key

    seen = {key(), key("barnfield")}
    assert key() in seen and len(seen) == 2
    year_dir = paths.data / str(YEAR)
    changes = [
        (
            year_dir / "councils" / "ashby.yaml",
            "role: Chief Executive",
            "role: Head of Paid Service",
        ),
        (year_dir / "year.yaml", "people_reached: 1100", "people_reached: 1200"),
        # a county's figures move the pooled county averages, so Barnfield's letter
        (year_dir / "councils" / "carrow.yaml", "upheld: 5", "upheld: 2"),
        (paths.templates / "static" / "letter.css", "", "/* a new rule */\n"),
        # a template of another year may be included by this year's
        (paths.templates / "2020" / "letter.html.j2", "", "{# a note #}\n"),
    ]
    for file, old, new in changes:
        text = file.read_text()
        assert old in text
        file.write_text(text.replace(old, new, 1) if old else new + text)
        now = {key(), key("barnfield")}
        assert len(now - seen) >= 1, f"{file.name}: no letter's key changed"
        seen |= now
    # Only a comment in a record: its validated record is the same, so is its key.
    record = year_dir / "councils" / "ashby.yaml"
    before = key()
    record.write_text(record.read_text() + "# checked by J\n")
    assert key() == before


def test_an_up_to_date_build_renders_no_letter(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lgo_letters.build import plan as plan_module

    rendered: list[str] = []
    real = plan_module.make_letter

    def counting(prepared, slug):  # type: ignore[no-untyped-def]
        rendered.append(slug)
        return real(prepared, slug)

    monkeypatch.setattr(plan_module, "make_letter", counting)
    out_dir = paths.out / str(YEAR)
    assert invoke("build", "2021", "--format", "html", *_folders(paths)).code == 0
    manifest = Manifest.load(out_dir, YEAR)

    def plan() -> tuple[list[str], Manifest]:
        rendered.clear()
        prepared = prepare_year(paths, YEAR, cache=True)
        remembered = Remembered(HtmlDigests(paths.out, YEAR), file_digests(paths.out, YEAR))
        planned = plan_letters(
            prepared, BuildOptions(fmt="html"), out_dir, manifest, lambda: False, remembered
        )
        remembered.save()
        assert planned.letters == ()
        return list(rendered), planned.manifest

    done, again = plan()
    assert done == [] and again.to_json() == manifest.to_json()
    # A lost manifest is made again, the same, from what the caches know: nothing rendered.
    manifest = Manifest(out_dir / MANIFEST, YEAR)
    done, remade = plan()
    assert done == [] and remade.councils == again.councils
    # A changed record: that letter alone is rendered again.
    record = paths.data / str(YEAR) / "councils" / "ashby.yaml"
    record.write_text(record.read_text().replace("role: Chief Executive", "role: Director"))
    manifest = again
    rendered.clear()
    prepared = prepare_year(paths, YEAR, cache=True)
    remembered = Remembered(HtmlDigests(paths.out, YEAR), file_digests(paths.out, YEAR))
    planned = plan_letters(
        prepared, BuildOptions(fmt="html"), out_dir, manifest, lambda: False, remembered
    )
    assert rendered == ["ashby"] and [letter.slug for letter in planned.letters] == ["ashby"]


def test_status_after_a_build_renders_no_letter(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lgo_letters.release import state as state_module

    assert invoke("build", "2021", "--format", "html", *_folders(paths)).code == 0
    rendered: list[str] = []
    real = state_module.make_letter

    def counting(prepared, slug):  # type: ignore[no-untyped-def]
        rendered.append(slug)
        return real(prepared, slug)

    monkeypatch.setattr(state_module, "make_letter", counting)
    quick = state_module.year_state(paths, YEAR, render_all=False)
    assert rendered == []
    full = state_module.year_state(paths, YEAR)  # approve, send, publish: always render
    assert sorted(rendered) == sorted(full.letters)
    for slug, letter in full.letters.items():
        assert quick.letters[slug].inputs == letter.inputs
        assert quick.letters[slug].build == letter.build


# --- output files ------------------------------------------------------------------------------


def test_an_output_file_is_hashed_again_whenever_it_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "ashby.pdf"
    file.write_bytes(b"%PDF- one")
    digests = FileDigests(KeyedCache(tmp_path / "files.json", "files", "1"))
    # Just written: not yet settled, so hashed every time and not kept.
    assert digests.sha256(file) == sha256_bytes(b"%PDF- one")
    assert digests.cache.entries() == {}
    monkeypatch.setattr(caches, "SETTLED_NS", 0)  # as if it had been there a while
    assert digests.sha256(file) == sha256_bytes(b"%PDF- one")
    kept = digests.cache.entries()["ashby.pdf"]
    # Kept: the file is not read again while its device, inode, size and times stay.
    digests.cache.put("ashby.pdf", kept.rsplit(" ", 1)[0] + " " + "0" * 64)
    assert digests.sha256(file) == "0" * 64
    # Changed, the same size, its modification time put back: its change time moved.
    stat = file.stat()
    file.write_bytes(b"%PDF- two")
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert digests.sha256(file) == sha256_bytes(b"%PDF- two")
    file.unlink()
    assert digests.sha256(file) is None
    file.mkdir()
    assert digests.sha256(file) is None


def test_the_caches_leave_the_years_output_folder_as_it_was(paths: Paths) -> None:
    assert invoke("build", "2021", "--format", "html", *_folders(paths)).code == 0
    assert invoke("status", "2021", *_folders(paths)).code == 0
    out_dir = paths.out / str(YEAR)
    names = sorted(p.name for p in out_dir.iterdir())
    councils = sorted(p.stem for p in (paths.data / str(YEAR) / "councils").iterdir())
    assert names == sorted([MANIFEST, *(f"{slug}.html" for slug in councils)])
    # (files.json too, once a letter's files have stood unchanged a while: not yet here)
    kept = {p.name for p in cache_folder(paths.out, YEAR).iterdir()}
    assert (
        {"letters.json", "records.json"}
        <= kept
        <= {"files.json", "letters.json", "records.json", "record-files.json", "conflicts.json"}
    )
    shutil.rmtree(paths.out / ".cache")  # deleted: everything works as before, only slower
    assert invoke("build", "2021", "--format", "html", *_folders(paths)).code == 0
