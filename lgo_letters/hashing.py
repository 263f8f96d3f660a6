"""Content hashes: of bytes and text, of a file, and of lgo-letters' own code.

The bottom of the package: the records cache (schema), what a letter is made from
(inputs.py), the build's manifest and the ledgers all hash with these.
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def sha256_bytes(data: bytes | str) -> str:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(payload).hexdigest()


def file_sha256(path: Path | str) -> str | None:
    """The file's sha256, or None when it cannot be read (missing, a folder...)."""
    try:
        return sha256_bytes(Path(path).read_bytes())
    except OSError:
        return None


def json_sha256(value: object) -> str:
    """The sha256 of a JSON-able value, keys sorted: the same value, the same hash."""
    return sha256_bytes(json.dumps(value, sort_keys=True))


@functools.cache
def code_version(*packages: str) -> str:
    """lgo-letters' own source (every .py file of the package), the Python version and the
    versions of `packages`, as one hash: what a cached result computed by this code is only
    valid for. Read once a process (a few milliseconds)."""
    listing = [(str(p.relative_to(PACKAGE)), file_sha256(p)) for p in sorted(PACKAGE.rglob("*.py"))]
    versions = [platform.python_version(), *(metadata.version(name) for name in packages)]
    return sha256_bytes(json.dumps([listing, versions]))
