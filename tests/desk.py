"""The review desk (`serve --review`) over a release project (tests/release.py): a server
fixture's helpers, its forms, and a year with a letter in every state."""

from __future__ import annotations

import http.client as httpclient
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import yaml

from lgo_letters.project import Paths
from lgo_letters.release.ledgers import SentMessage, append_sent, write_published
from lgo_letters.serve import LiveServer, serving
from tests.records import council
from tests.release import YEAR, lgo, write_record


@contextmanager
def desk_server(root: Path) -> Iterator[LiveServer]:
    paths = Paths(root / "data", root / "templates", root / "output")
    with serving(paths, YEAR, port=0, review=True) as live:
        yield live


def year_dir(root: Path) -> Path:
    return root / "data" / str(YEAR)


def http(
    live: LiveServer,
    method: str,
    path: str,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, httpclient.HTTPMessage, str]:
    """(status, headers, body) of one request, sent exactly as given."""
    address = urlsplit(live.url)
    connection = httpclient.HTTPConnection(address.hostname, address.port, timeout=60)
    body = urlencode(fields).encode() if fields is not None else None
    sent = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    try:
        connection.request(method, path, body=body, headers={**sent, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8")
    finally:
        connection.close()


def shown_sha256(live: LiveServer, slug: str) -> str:
    """The sha256 the letter's review page puts in its approve form."""
    status, _, page = http(live, "GET", f"/{slug}/review")
    assert status == 200, page
    found = re.search(r'name="shown" value="([0-9a-f]{64})"', page)
    assert found, "the page has no approve form"
    return found.group(1)


def approve_form(live: LiveServer, slug: str, name: str = "Jane Smith") -> dict[str, str]:
    assert live.desk is not None
    return {"token": live.desk.token, "shown": shown_sha256(live, slug), "reviewer": name}


def origin(live: LiveServer) -> dict[str, str]:
    return {"Origin": live.url.rstrip("/")}


def approvals(root: Path) -> dict:
    file = year_dir(root) / "approvals.yaml"
    return (yaml.safe_load(file.read_text("utf-8")) or {}) if file.exists() else {}


def history(root: Path) -> list[dict]:
    file = year_dir(root) / "approvals-log.yaml"
    return (yaml.safe_load(file.read_text("utf-8")) or {}).get("log") or [] if file.exists() else []


def _edit_role(root: Path, slug: str, role: str) -> None:
    """A new role changes the letter's text but no figure (so no pooled average)."""
    file = year_dir(root) / "councils" / f"{slug}.yaml"
    record = yaml.safe_load(file.read_text("utf-8"))
    record["role"] = role
    write_record(file, record)


def _sent(root: Path, slug: str, pdf_sha256: str) -> None:
    append_sent(
        year_dir(root),
        SentMessage(
            council=slug,
            at="2021-07-22T09:00:00+00:00",
            message_id=f"<{slug}@lgo.example>",
            to=[f"ceo@{slug}.example"],
            pdf_sha256=pdf_sha256,
        ),
    )


# The state each council of the release project is put in by every_state().
EVERY_STATE = {
    "failed": "hartley",
    "draft": "elsworth",
    "not built": "fenwick",
    "built": "galloway",
    "changed since approval": "denholm",
    "approved": "ashby",
    "sent": "barnfield",
    "sent but superseded": "ynys-mon",
    "published": "carrow",
}


def every_state(root: Path) -> dict[str, str]:
    """Put the release project at `root` in a state where each of the desk's states has a
    letter (EVERY_STATE); a council approved from the command line, one with a hostile name
    approved from the... command line too, with markup in its name."""
    councils = year_dir(root) / "councils"
    write_record(councils / "hartley.yaml", council(statistics={"upheld": 11}))  # > 10
    write_record(councils / "galloway.yaml", council(name="Galloway <b>District</b> Council"))
    built = lgo(root, "build", "--only", "galloway")
    assert built.code == 0, built.stderr
    approved = lgo(
        root, "approve", "ashby", "barnfield", "carrow", "denholm", "ynys-mon", "--by", "<i>J</i>"
    )
    assert approved.code == 0, approved.stderr
    granted = approvals(root)
    _sent(root, "barnfield", granted["barnfield"]["pdf_sha256"])
    _sent(root, "carrow", granted["carrow"]["pdf_sha256"])
    write_published(year_dir(root), {"carrow": granted["carrow"]["pdf_sha256"]})
    _sent(root, "ynys-mon", "0" * 64)  # a letter that has since been corrected
    _edit_role(root, "denholm", "Acting Chief Executive")
    _edit_role(root, "fenwick", "Acting Chief Executive")
    return EVERY_STATE
