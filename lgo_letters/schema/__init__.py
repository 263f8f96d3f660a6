"""Records → validated model: YAML reading, pydantic models, located problems."""

from lgo_letters.schema.loader import CouncilEntry, YearRecords, load_council, load_year
from lgo_letters.schema.models import AUTHORITY_TYPES, Averages, CouncilRecord, YearRecord
from lgo_letters.schema.problems import InputError, Problem

__all__ = [
    "AUTHORITY_TYPES",
    "Averages",
    "CouncilEntry",
    "CouncilRecord",
    "InputError",
    "Problem",
    "YearRecord",
    "YearRecords",
    "load_council",
    "load_year",
]
