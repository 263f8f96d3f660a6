"""Outside tools the suite runs (pdftotext, the Nu Html Checker, axe-core in Chromium).

`make test` installs them when run as root. Elsewhere a missing tool skips its tests with a
message that says how to install it, except in CI (`CI` set), where it fails them: a
validator that never ran must not look like one that passed.
"""

from __future__ import annotations

import os

import pytest


def require(missing: str | None) -> None:
    """Skip (locally) or fail (in CI) when `missing` names a missing tool."""
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{missing} (CI must run these tests)")
    pytest.skip(missing)
