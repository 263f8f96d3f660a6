"""Records → validated model: YAML reading, pydantic models, located problems."""

from lgo_letters.errors import InputError, Problem
from lgo_letters.schema.loader import CouncilEntry, YearRecords, load_council, load_year
from lgo_letters.schema.models import AUTHORITY_TYPES, CouncilRecord, YearRecord

__all__ = [
    "AUTHORITY_TYPES",
    "CouncilEntry",
    "CouncilRecord",
    "InputError",
    "Problem",
    "YearRecord",
    "YearRecords",
    "load_council",
    "load_year",
]
