"""How fast the review desk (`serve --review`) is on a synthetic year. Prints figures;
asserts nothing.

    .venv/bin/python benchmarks/desk.py [--councils 340] [--runs 3]

Targets for 340 councils on 2 cores: the index paints in under 1 s, a letter's page in
under 0.5 s, approving one letter takes under 0.3 s. The year is built once (HTML and
PDF, which takes a while); then, with the server in this process:
- the index, first request after start (the desk reads the year: with status's cache of
  each letter's HTML hash empty, every letter is rendered once) and after a record changed
  (the cache holds the others);
- a letter's page (its review panel: the letter rendered, figures, flags, history) and the
  letter itself (shown in the page's frame);
- both again after a change (the desk and the letter site read the year again);
- approving a letter (the form's POST: the year's lock, the year read again, the
  approval written), with every other letter of the year approved already (as at the end
  of the July run: approvals.yaml, which is read and written whole, at its largest).
Each is timed on the clock and in CPU seconds of this process (server and client both;
the client's share is a few ms). On a machine busy with other work the clock is inflated:
the CPU figures are the ones to compare. With Debian's chromium, the index's first
contentful paint in a real browser is measured too.
"""

from __future__ import annotations

import argparse
import http.client
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from urllib.request import urlopen

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lgo_letters.project import Paths  # noqa: E402
from lgo_letters.serve import serving  # noqa: E402
from tests.synthetic import YEAR, make_project  # noqa: E402


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def _get(url: str) -> str:
    with urlopen(url, timeout=120) as response:
        return response.read().decode("utf-8")


def _post(url: str, fields: dict[str, str], origin: str) -> int:
    """The form's POST alone (its 303 is not followed: that page is a letter's page)."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
    try:
        connection.request(
            "POST",
            address.path,
            urlencode(fields),
            {"Origin": origin, "Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        response.read()
        assert response.status == 303, response.status
        return response.status
    finally:
        connection.close()


def _first_paint(url: str) -> float | None:
    """The index's first contentful paint in Chromium, in seconds from navigation."""
    try:
        from playwright.sync_api import sync_playwright

        from tests.browser import CHROMIUM, LAUNCH_ARGS, why_no_browser
    except ImportError:
        return None
    if why_no_browser() is not None:
        return None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            page.goto(url)
            # First contentful paint where Chromium reports it (headless may not): else the
            # end of DOMContentLoaded (the page has no resources to wait for).
            paint = page.evaluate(
                "(() => { const fcp = performance.getEntriesByName('first-contentful-paint')[0];"
                " return fcp ? fcp.startTime"
                " : performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd; })()"
            )
            return float(paint) / 1000
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--councils", type=int, default=340)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--project",
        type=Path,
        help="keep the synthetic year here (made and built on the first run, reused after)",
    )
    options = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {}

    def record(label: str, action: Callable[[], object]) -> None:
        results.setdefault(label, []).append(_timed(action))

    with tempfile.TemporaryDirectory() as folder:
        root = options.project or Path(folder)
        if not (root / "output" / str(YEAR) / "manifest.json").is_file():
            make_project(root, options.councils)
            print(f"building {options.councils} letters (HTML and PDF) …", flush=True)
            subprocess.run(
                [sys.executable, "-m", "lgo_letters", "build", str(YEAR)],
                cwd=root,
                check=True,
                capture_output=True,
            )
        (root / "data" / str(YEAR) / "approvals.yaml").unlink(missing_ok=True)
        (root / "data" / str(YEAR) / "approvals-log.yaml").unlink(missing_ok=True)
        paths = Paths(root / "data", root / "templates", root / "output")
        slugs = sorted(p.stem for p in (root / "data" / str(YEAR) / "councils").glob("*.yaml"))
        # Every letter approved but those the runs approve in the desk.
        subprocess.run(
            [sys.executable, "-m", "lgo_letters", "approve", str(YEAR), *slugs[options.runs :]],
            cwd=root,
            check=True,
            capture_output=True,
        )
        paint = None
        for run in range(options.runs):
            (root / "output" / str(YEAR) / ".status-cache.json").unlink(missing_ok=True)
            with serving(paths, YEAR, port=0, review=True) as live:
                record("index, first request (status cache empty)", lambda: _get(live.url))
                record("index, again", lambda: _get(live.url))
                letter = live.url + f"{slugs[run]}/review"
                alone = live.url + slugs[run]  # the letter itself, in the page's frame
                record(
                    "a letter's page (its review page and the letter)",
                    lambda letter=letter, alone=alone: (_get(letter), _get(alone)),
                )
                # What a saved file does (the watcher's callback): the year is read again.
                live.site.invalidate()
                live.desk.invalidate()
                record("index, after a change", lambda: _get(live.url))
                live.site.invalidate()
                live.desk.invalidate()
                record(
                    "a letter's page, after a change",
                    lambda letter=letter, alone=alone: (_get(letter), _get(alone)),
                )
                page = _get(letter)
                shown = re.search(r'name="shown" value="([0-9a-f]{64})"', page)
                assert shown, "no approve form"
                assert live.desk is not None
                fields = {"token": live.desk.token, "shown": shown.group(1), "reviewer": "B"}
                origin = live.url.rstrip("/")
                url = live.url + f"{slugs[run]}/approve"
                record(
                    "approve one letter (the form's POST)",
                    lambda url=url, fields=fields, origin=origin: _post(url, fields, origin),
                )
                if run == 0:
                    live.desk.invalidate()
                    paint = _first_paint(live.url)
    print(f"review desk, {options.councils} councils (best of {options.runs}):")
    for label, runs in results.items():
        wall, cpu = min(runs)
        print(f"  {label}: {wall:.3f} s wall clock, {cpu:.3f} s CPU")
    if paint is not None:
        print(f"  index's first contentful paint in Chromium, after a change: {paint:.3f} s")


if __name__ == "__main__":
    main()
