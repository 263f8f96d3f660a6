"""Golden files: the record of what each letter says and looks like, and checks against it."""

from lgo_letters.golden.compare import CaseResult, Status
from lgo_letters.golden.session import GoldenPaths, GoldenSession, Outcome

__all__ = ["CaseResult", "GoldenPaths", "GoldenSession", "Outcome", "Status"]
