"""`lgo-letters serve` over plain HTTP: pages, errors, live-reload events, the command itself."""

from __future__ import annotations

import http.client
import io
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import urlopen

import pypdf
import pytest

from tests.helpers import REPO, run_cli
from tests.records import VALID_COUNCIL
from tests.textutil import html_text
from tests.years import year_file

RELOAD_SCRIPT = "EventSource("


def fetch(url: str) -> tuple[int, str, str]:
    """(status, content type, body text) of a GET, whatever the status."""
    try:
        with urlopen(url, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Poll until `condition()` holds: the watcher sees a change within a fraction of a second."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s")
        time.sleep(0.1)


def council_row(index_html: str, slug: str) -> str:
    match = re.search(rf'<tr id="council-{slug}">(.*?)</tr>', index_html, re.DOTALL)
    assert match, f"no row for {slug}"
    return match.group(1)


def council_file(project: Path, slug: str) -> Path:
    return project / "data" / "2020" / "councils" / f"{slug}.yaml"


def test_index_lists_every_council_with_rates_draft_and_links(live_server) -> None:
    status, kind, html = fetch(live_server.url)
    assert (status, kind) == (200, "text/html; charset=utf-8")
    dacorum = council_row(html, "dacorum")
    assert html_text(dacorum).split() == [
        "Dacorum",
        "Borough",
        "Council",
        "district",
        "70%",
        "100%",
        "14%",
        "draft",
        "PDF",
    ]
    assert 'href="/dacorum"' in dacorum and 'href="/dacorum.pdf"' in dacorum
    assert "draft" not in html_text(council_row(html, "harborough"))
    for slug in ("ashfield", "harborough", "worcester"):
        assert f'href="/{slug}"' in html


def test_server_listens_on_loopback_only(live_server) -> None:
    assert urlsplit(live_server.url).hostname == "127.0.0.1"


@pytest.mark.slow  # `preview` in a child process
def test_letter_page_is_the_built_letter_with_the_reload_script_added(
    live_server, project: Path
) -> None:
    result = run_cli(
        "preview",
        "2020",
        "harborough",
        "--data",
        str(project / "data"),
        "--templates",
        str(project / "templates"),
        "--out",
        str(project / "out"),
    )
    assert result.returncode == 0, result.stderr
    built = (project / "out" / "2020" / "harborough.html").read_text(encoding="utf-8")
    assert RELOAD_SCRIPT not in built

    status, _, served = fetch(live_server.url + "harborough")
    assert status == 200
    script = re.search(r"<script>/\* lgo-letters serve.*?</script>\n", served, re.DOTALL)
    assert script and RELOAD_SCRIPT in script.group(0)
    assert served.replace(script.group(0), "") == built
    assert served.index(script.group(0)) < served.rindex("</body>")


def test_unknown_council_is_a_404_listing_the_valid_ones(live_server) -> None:
    status, _, html = fetch(live_server.url + "dacorumm")
    assert status == 404
    assert "dacorumm" in html
    listed = re.findall(r'<li><a href="/([a-z-]+)">', html)
    assert listed == ["ashfield", "dacorum", "harborough", "worcester"]


@pytest.mark.parametrize(
    "path",
    [
        "/../data/2020/councils/dacorum.yaml",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "//etc/passwd",
        "/dacorum/../../../etc/passwd",
        "/data/2020/councils/dacorum.yaml",
        "/dacorum.yaml",
        "/templates/static/letter.css",
        "/templates/2020/letter.html.j2",
        "/output/2020/dacorum.html",
        "/_livereload/../data/2020/year.yaml",
    ],
)
def test_no_path_reaches_a_file_on_disk(live_server, path: str) -> None:
    # http.client sends the path exactly as written: no client-side normalising of "..".
    address = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode()
    finally:
        connection.close()
    assert response.status == 404
    assert "Not found" in body
    for leaked in ("root:", "statistics:", "letter_date", "{%", 'font-family: "Source'):
        assert leaked not in body


def test_broken_yaml_shows_file_line_and_message_and_fixing_it_brings_the_letter_back(
    live_server, project: Path
) -> None:
    record = council_file(project, "dacorum")
    good = record.read_text(encoding="utf-8")
    record.write_text(good.replace("  upheld: 7", "  upheld: [7"), encoding="utf-8")
    wait_until(lambda: fetch(live_server.url + "dacorum")[0] == 422)

    _, _, html = fetch(live_server.url + "dacorum")
    row = re.search(r'<tr class="problem">(.*?)</tr>', html, re.DOTALL)
    assert row
    file, line, field, message = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.DOTALL)
    assert (file, line, field) == (str(record), "11", "")
    assert message.startswith("YAML syntax error")
    assert RELOAD_SCRIPT in html  # the error page reloads itself too
    index = fetch(live_server.url)[2]
    assert f"{record}:11:" in html_text(council_row(index, "dacorum"))

    record.write_text(good, encoding="utf-8")
    wait_until(lambda: fetch(live_server.url + "dacorum")[0] == 200)
    assert "Dacorum Borough Council" in fetch(live_server.url + "dacorum")[2]


def test_invalid_count_names_the_field(live_server, project: Path) -> None:
    record = council_file(project, "dacorum")
    record.write_text(
        record.read_text(encoding="utf-8").replace("  upheld: 7", "  upheld: -7"),
        encoding="utf-8",
    )
    wait_until(lambda: fetch(live_server.url + "dacorum")[0] == 422)
    text = html_text(fetch(live_server.url + "dacorum")[2])
    assert f"{record} 10 statistics.upheld must be 0 or more, not -7" in " ".join(text.split())
    # The other letters carry on.
    assert fetch(live_server.url + "harborough")[0] == 200
    assert fetch(live_server.url + "dacorum.pdf")[0] == 422


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ("{{ letter.no_such_field }}", "no_such_field"),
        ("{% if %}", "template syntax error"),
    ],
)
def test_template_error_names_the_template_and_line(
    live_server, project: Path, bad_line: str, expected: str
) -> None:
    template = project / "templates" / "2020" / "letter.html.j2"
    good = template.read_text(encoding="utf-8")
    lines = good.splitlines(keepends=True)
    block_line = next(i for i, text in enumerate(lines) if "{% block opening %}" in text)
    lines.insert(block_line + 1, bad_line + "\n")
    template.write_text("".join(lines), encoding="utf-8")
    wait_until(lambda: fetch(live_server.url + "worcester")[0] == 422)

    html = fetch(live_server.url + "worcester")[2]
    assert f"{template}:{block_line + 2}:" in html
    assert expected in html
    assert fetch(live_server.url)[0] == 200  # the server keeps going

    template.write_text(good, encoding="utf-8")
    wait_until(lambda: fetch(live_server.url + "worcester")[0] == 200)


def test_pdf_is_rendered_on_request(live_server) -> None:
    with urlopen(live_server.url + "harborough.pdf", timeout=60) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        data = response.read()
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Harborough District Council" in " ".join(text.split())


def _read_event(live_server, query: str) -> str:
    address = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=15)
    try:
        connection.request("GET", f"/_livereload?{query}")
        response = connection.getresponse()
        assert response.headers["Content-Type"] == "text/event-stream"
        while line := response.readline().decode():
            if line.startswith("data:"):
                return line.strip()
        raise AssertionError("the event stream closed without an event")
    finally:
        connection.close()


def test_a_change_on_disk_sends_a_reload_event(live_server, project: Path) -> None:
    before = live_server.signal.generation
    record = council_file(project, "worcester")
    record.write_text(record.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _read_event(live_server, f"run={live_server.signal.run}&since={before}") == (
        f"data: {before + 1}"
    )


def test_a_page_from_an_earlier_run_of_the_server_reloads_at_once(live_server) -> None:
    # EventSource reconnects by itself after `serve` is restarted, with the old run's address.
    assert _read_event(live_server, "run=0123456789ab&since=7") == "data: 0"


def test_problems_in_the_year_file_show_on_the_index_and_the_letters(
    live_server, project: Path
) -> None:
    year_file = project / "data" / "2020" / "year.yaml"
    text = year_file.read_text(encoding="utf-8")
    year_file.write_text(text.replace("letter_date: 2020-07-22", "letter_date: soon"), "utf-8")
    wait_until(lambda: fetch(live_server.url + "worcester")[0] == 422)
    letter = " ".join(html_text(fetch(live_server.url + "worcester")[2]).split())
    assert f"{year_file} 1 letter_date" in letter
    index = fetch(live_server.url)[2]
    assert f"{year_file}" in html_text(index.split('<table class="councils">')[0])
    assert "year.yaml has problems" in html_text(council_row(index, "worcester"))


def test_a_template_fault_that_is_not_a_jinja_error_is_that_letters_page(
    live_server, project: Path
) -> None:
    # A filter given the wrong type raises a plain Python error, not a template error: it
    # costs that letter (a page naming the template's line), never the server.
    template = project / "templates" / "2020" / "letter.html.j2"
    source = template.read_text(encoding="utf-8")
    template.write_text(
        source.replace("{% block opening %}", "{% block opening %}{{ letter.year | long_date }}"),
        encoding="utf-8",
    )
    line = source.split("{% block opening %}")[0].count("\n") + 1
    wait_until(lambda: fetch(live_server.url + "worcester")[0] == 422)
    page = html_text(fetch(live_server.url + "worcester")[2])
    assert f"{template}:{line}: AttributeError" in page
    assert fetch(live_server.url)[0] == 200


@pytest.mark.slow  # `serve` in a child process
def test_serve_command_prints_its_url_and_stops_on_ctrl_c(project: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "lgo_letters", "serve", "2020", "--port", "0"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    try:
        url = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url), process.stderr.read()
        assert fetch(url)[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.slow  # `serve` in a child process
def test_serve_unknown_year_is_a_usage_error(project: Path) -> None:
    result = run_cli("serve", "1999", cwd=project)
    assert result.returncode == 2
    assert "unknown year 1999" in result.stderr


@pytest.mark.slow  # `serve` in a child process
def test_serve_on_a_port_in_use_is_a_usage_error(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "2020", "--port", str(port), cwd=project)
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr


_SERVE_THEN_REPORT_WEASYPRINT = """
import sys
from pathlib import Path
from urllib.request import urlopen
from lgo_letters.project import Paths
from lgo_letters.serve import serving

project = Path(sys.argv[1])
paths = Paths(project / "data", project / "templates")
with serving(paths, 2021, port=0) as live:
    for page in ("", "dartford", "dartford.pdf"):
        with urlopen(live.url + page, timeout=60) as response:
            response.read()
        print(page or "index", "weasyprint loaded:", "weasyprint" in sys.modules)
"""


def test_serve_loads_weasyprint_only_for_the_first_pdf(
    tmp_path: Path, new_project: Callable[..., Path]
) -> None:
    new_project(data=None, years=[2021])
    year = tmp_path / "data" / "2021"
    (year / "year.yaml").write_text(year_file(2021))
    (year / "councils" / "dartford.yaml").write_text(VALID_COUNCIL)
    result = subprocess.run(
        [sys.executable, "-c", _SERVE_THEN_REPORT_WEASYPRINT, str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "index weasyprint loaded: False",
        "dartford weasyprint loaded: False",
        "dartford.pdf weasyprint loaded: True",
    ]
