"""What a build is asked to do: `lgo-letters build`'s options."""

from __future__ import annotations

from dataclasses import dataclass, field

from lgo_letters.layout.pool import default_jobs


@dataclass(frozen=True)
class BuildOptions:
    only: tuple[str, ...] = ()
    fmt: str = "both"  # html, pdf or both
    jobs: int = field(default_factory=default_jobs)
    force: bool = False
    clean: bool = False
    combined: bool = False
    strict: bool = False  # warnings (lgo_letters.completeness) refuse the build

    @property
    def html(self) -> bool:
        return self.fmt in ("html", "both")

    @property
    def pdf(self) -> bool:
        return self.fmt in ("pdf", "both")

    def wants(self, slug: str) -> bool:
        """Whether the build is for `slug`'s letter (every letter, without --only)."""
        return not self.only or slug in self.only
