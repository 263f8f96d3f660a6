"""Debian's chromium, driven by Playwright: shared by the live-preview and the axe-core tests.

Never `playwright install`: the browser is Debian's package, which `make test` installs when
run as root.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def why_no_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not Path(CHROMIUM).is_file():
        return (
            f"no Chromium at {CHROMIUM}: run `make test` as root (it installs Debian's "
            "`chromium` with apt-get) or `sudo apt-get install chromium`"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: run `make test` (it installs the dev extra)"
    return None
