"""Stale letters: those in the manifest of councils that no longer have a record. A build
names them; with --clean it deletes them, but only files it wrote and nobody changed since."""

from __future__ import annotations

import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lgo_letters.hashing import file_sha256
from lgo_letters.manifest import Manifest


@dataclass(frozen=True)
class Cleaned:
    """The outcome of --clean."""

    removed: tuple[Path, ...]
    kept: tuple[str, ...]  # each file --clean would not delete, and why
    manifest: Manifest  # without the councils whose files are all gone


def stale_councils(
    known: Iterable[str], only: tuple[str, ...], manifest: Manifest
) -> tuple[str, ...]:
    """Councils in the manifest that are not `known` (have no record); none with --only,
    which does not see the whole year."""
    if only:
        return ()
    known = set(known)
    return tuple(sorted(slug for slug in manifest.councils if slug not in known))


def clean(stale: Iterable[str], out_dir: Path, manifest: Manifest) -> Cleaned:
    """Delete the stale councils' letter files that may be deleted (see why_not_delete);
    a council is forgotten once none of its files is left that could not be deleted."""
    removed: list[Path] = []
    kept: list[str] = []
    for slug in stale:
        cannot = False
        for name in manifest.files_of(slug):
            reason = why_not_delete(out_dir, slug, name, manifest.sha256_of(slug, name))
            if reason is None:
                file = out_dir / name
                try:
                    file.unlink()
                except OSError as error:
                    reason = f"cannot be deleted ({error.strerror})"
                else:
                    removed.append(file)
                    continue
            if reason != "already gone":
                kept.append(f"{name!r} of {slug}: {reason}")
                cannot = cannot or reason.startswith("cannot")
        if not cannot:
            manifest = manifest.forgetting(slug)
    return Cleaned(tuple(removed), tuple(kept), manifest)


def why_not_delete(out_dir: Path, slug: str, name: str, sha256: str | None) -> str | None:
    """None when `name` is a letter file this program wrote for `slug` and may delete: a file
    directly in the year's output folder, named <slug>.html or <slug>.pdf, a regular file
    (not a link or folder) whose bytes are still those the manifest recorded."""
    if name not in (f"{slug}.html", f"{slug}.pdf"):
        return "not a letter file of this council in the output folder (the manifest is wrong)"
    file = out_dir / name
    try:
        mode = file.lstat().st_mode
    except FileNotFoundError:
        return "already gone"
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if not stat.S_ISREG(mode):
        return "not a regular file: left as it is"
    if file_sha256(file) != sha256:
        return "changed since it was built: left as it is"
    return None
