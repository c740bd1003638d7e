"""Synthetic populations: deterministic, realistic households of a municipality, without a database.

``generate(code, N, seed)`` yields households totalling exactly N persons; ``generate_history`` gives each
household a plausible past; ``municipality_sizes`` sizes a prefecture's municipalities from the catalog.
Sources and approximations: docs/migration/synthetic.md.
"""

from .generator import generate, municipality_sizes
from .history import generate_history
from .model import PastEvent, SyntheticHousehold, SyntheticPerson
from .progress import progress

__all__ = [
    "PastEvent",
    "SyntheticHousehold",
    "SyntheticPerson",
    "generate",
    "generate_history",
    "municipality_sizes",
    "progress",
]
