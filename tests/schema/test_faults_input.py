"""Input that would silently change a letter, hang the program or could not be typeset is
refused with file:line:column: field: message (issue 13)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.errorcases import Run, invoke
from tests.faults import YEAR, YEAR_FILE, council, make_project, record_text, write_record

RECORD = f"data/{YEAR}/councils/ashby.yaml"


@pytest.fixture
def own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Our own project, made the working folder (problems name data/2021/...)."""
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def validate() -> Run:
    return invoke("validate", str(YEAR))


def only_problem(run: Run, file: str = RECORD) -> str:
    assert run.code == 1, run.stderr
    assert "Traceback" not in run.stderr
    return run.problem_for(file)


# --- YAML 1.1 numbers and booleans -------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "advice"),
    [
        ("010", "'010' is not a plain number: write 10 or 8"),
        ("012", "'012' is not a plain number: write 12 or 10"),
        ("0x1F", "'0x1F' is not a plain number: write 31"),
        ("0b11", "'0b11' is not a plain number: write 3"),
        ("1_0", "'1_0' is not a plain number: write 10"),
        ("1:20", "'1:20' is not a plain number: write 80"),
    ],
)
def test_a_count_not_in_plain_digits_is_refused(own: Path, written: str, advice: str) -> None:
    write_record(own, "ashby", record_text(investigations=written))
    assert only_problem(validate()) == f"{RECORD}:6:3: statistics.investigations: {advice}"


def test_an_average_not_in_plain_digits_is_refused(own: Path) -> None:
    year_file = own / "data" / str(YEAR) / "year.yaml"
    year_file.write_text(YEAR_FILE.replace("upheld: 50", "upheld: 053"))
    problem = only_problem(validate(), f"data/{YEAR}/year.yaml")
    assert problem.endswith("averages.district.upheld: '053' is not a plain number: write 53 or 43")


def test_yes_and_no_where_text_is_expected_stay_text(own: Path, tmp_path: Path) -> None:
    write_record(own, "ashby", record_text(recipients="[No, yes, 010]", role="on"))
    assert validate().code == 0
    run = invoke("preview", str(YEAR), "ashby")
    assert run.code == 0, run.stderr
    letter = (own / "output" / str(YEAR) / "ashby.html").read_text()
    assert "No, yes &amp; 010" in letter or "No, yes & 010" in letter
    assert "false" not in letter


def test_yes_for_true_is_refused_with_the_word_written(own: Path) -> None:
    write_record(own, "ashby", record_text() + "draft: yes\n")
    assert only_problem(validate()).endswith("draft: must be true or false, not 'yes'")


def test_a_count_of_a_million_or_more_is_refused(own: Path) -> None:
    write_record(own, "ashby", record_text(investigations="1" + "0" * 30))
    assert "statistics.investigations: must be 999999 or less" in only_problem(validate())


# --- characters that cannot be typeset ---------------------------------------------------


@pytest.mark.parametrize(
    ("escaped", "named"),
    [
        ("\\0", "the control character U+0000"),
        ("\\e", "the control character U+001B"),
        ("\\f", "the control character U+000C"),
        ("\\uFFFF", "U+FFFF, which is not a character"),
        ("\\u202E", "the bidirectional control U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\\uD800", "U+D800, half of a surrogate pair"),
    ],
)
def test_a_control_character_is_refused_where_it_is(own: Path, escaped: str, named: str) -> None:
    write_record(own, "ashby", record_text(role=f'"Chief{escaped} Executive"'))
    problem = only_problem(validate())
    assert problem.startswith(f"{RECORD}:4:7: role: ")
    assert named in problem


def test_a_raw_control_byte_is_located(own: Path) -> None:
    write_record(own, "ashby", record_text(role="Chief\x1bExecutive"))
    problem = only_problem(validate())
    assert problem.startswith(f"{RECORD}:4:12: ")
    assert "U+001B" in problem and "<unicode string>" not in problem


def test_a_character_the_font_lacks_is_refused(own: Path) -> None:
    write_record(own, "ashby", record_text(role="Chief Executive 😀"))
    problem = only_problem(validate())
    assert problem.startswith(f"{RECORD}:4:1: role: the character '😀' (U+1F600 GRINNING FACE)")
    assert "not in the letter's font" in problem


def test_accented_and_typographic_characters_are_fine(own: Path) -> None:
    write_record(own, "ashby", record_text(role="Directrice Générale – Ōtaki’s “office” €"))
    assert validate().code == 0


def test_too_many_combining_marks_are_refused(own: Path) -> None:
    # Layout time grows with the square of such a run: 50,000 took 9.5 s for one letter.
    write_record(own, "ashby", record_text(role="Chie" + "\u0301" * 200 + "f"))
    assert "role: has 200 combining marks on one character (at most 4)" in only_problem(validate())


@pytest.mark.parametrize(
    ("field", "limit"), [("role", 300), ("comments", 3_000)], ids=["line", "paragraph"]
)
def test_text_longer_than_fits_is_refused(own: Path, field: str, limit: int) -> None:
    long = "x" * (limit + 1)
    value = f"[{long}]" if field == "comments" else long
    text = record_text(**({"role": value} if field == "role" else {}))
    if field == "comments":
        text += f"comments: {value}\n"
    write_record(own, "ashby", text)
    problem = only_problem(validate())
    assert f"is {limit + 1:,} characters long; at most {limit:,} fit in a letter" in problem


# --- names that only look different ----------------------------------------------------------


@pytest.mark.parametrize(
    "other",
    ["Ashby\u200b District Council", "ASHBY  district council", "Ashby\u00a0District\u2009Council"],
)
def test_a_duplicate_council_hidden_by_invisible_or_wide_characters(own: Path, other: str) -> None:
    write_record(own, "ashby-2", council(other))
    run = validate()
    assert run.code == 1
    assert "also has a record in" in run.problem_for(f"data/{YEAR}/councils/ashby-2.yaml")


# --- files that are not files -------------------------------------------------------------


def _fails_within(seconds: float, action) -> Run:  # type: ignore[no-untyped-def]
    """Run `action` in a thread; a hang fails the test instead of hanging it."""
    result: list[Run] = []
    thread = threading.Thread(target=lambda: result.append(action()), daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        # Release the hung open() so the thread can end, then fail.
        for fifo in Path.cwd().rglob("*.yaml"):
            if fifo.is_fifo():
                with open(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK), "wb"):
                    pass
        pytest.fail(f"still running after {seconds} s")
    return result[0]


def test_a_fifo_among_the_records_is_reported_not_read(own: Path) -> None:
    os.mkfifo(own / "data" / str(YEAR) / "councils" / "dover.yaml")
    run = _fails_within(60, validate)
    problem = run.problem_for(f"data/{YEAR}/councils/dover.yaml")
    assert "not a regular file but a named pipe (FIFO)" in problem
    build = _fails_within(60, lambda: invoke("build", str(YEAR), "--format", "html"))
    assert build.code == 1
    assert "3 letter(s) built, 1 failed" in build.stderr


def test_a_fifo_as_the_year_file_is_reported_not_read(own: Path) -> None:
    year_file = own / "data" / str(YEAR) / "year.yaml"
    year_file.unlink()
    os.mkfifo(year_file)
    run = _fails_within(60, validate)
    assert "not a regular file but a named pipe (FIFO)" in run.problem_for(f"data/{YEAR}/year.yaml")


# --- the signature image ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not an image at all\n", "is not an image that can be decoded"),
        (
            b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n",
            "git-LFS pointer",
        ),
        ("truncated", "is not an image that can be decoded"),
        ("tiny", "is 2×2 pixels"),
    ],
)
def test_a_signature_that_is_not_a_usable_image(
    own: Path, content: bytes | str, reason: str
) -> None:
    from PIL import Image

    image = own / "data" / str(YEAR) / "signature.png"
    if content == "truncated":
        Image.new("L", (200, 80), 255).save(image)
        image.write_bytes(image.read_bytes()[:60])
    elif content == "tiny":
        Image.new("L", (2, 2), 255).save(image)
    else:
        assert isinstance(content, bytes)
        image.write_bytes(content)
    year_file = own / "data" / str(YEAR) / "year.yaml"
    year_file.write_text(YEAR_FILE + "signature_image: signature.png\n")
    problem = only_problem(validate(), f"data/{YEAR}/year.yaml")
    assert problem.startswith(f"data/{YEAR}/year.yaml:6:1: signature_image: ")
    assert reason in problem


def test_a_real_signature_image_is_accepted(own: Path) -> None:
    from PIL import Image

    Image.new("L", (300, 100), 255).save(own / "data" / str(YEAR) / "signature.png")
    year_file = own / "data" / str(YEAR) / "year.yaml"
    year_file.write_text(YEAR_FILE + "signature_image: signature.png\n")
    assert validate().code == 0
