"""Building a whole year, in phases (see build/year.py): plan, write HTML, stale letters,
PDFs in a worker pool, the combined PDF, the manifest."""

from lgo_letters.build.options import BuildOptions
from lgo_letters.build.report import BuildReport
from lgo_letters.build.year import build_year

__all__ = ["BuildOptions", "BuildReport", "build_year"]
