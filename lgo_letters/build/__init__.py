"""Building a whole year: worker pool, input hashing, manifest, progress, combined PDF."""

from lgo_letters.build.year import BuildOptions, BuildReport, build_year

__all__ = ["BuildOptions", "BuildReport", "build_year"]
