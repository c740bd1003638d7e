"""API contracts between businesses that the standard fixes, so that any vendor's app can serve them.

"As of" queries (基準日照会): another business asks the resident registry about a person as of a date — the
tax base on 1 January (地方税法 39条・318条: 賦課期日), allowance eligibility on a base date, the special fixed-sum
benefit's 基準日 (27 April 2020). The registry answers from its history, not from today's record.

HTTP form (the residents app of any vendor serves it):

    GET /api/v1/tenants/{code}/residents/{resident_id}?as_of=YYYY-MM-DD&purpose=…

- 200 with the person's record as it stood on that date, if they were registered (住民) in the municipality then;
- 404 (application/problem+json) if there is no such person, or they were not registered on that date
  (not yet moved in, or already removed: 除票);
- the read is audited like any other, with its purpose.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol


class AsOfResidentQuery(Protocol):
    """The in-process form of the contract, for apps in the same deployment."""

    def resident_as_of(self, resident_id: int, on: date, purpose: str) -> object | None:
        """The resident as registered on ``on`` in the current tenant, or None if not registered then."""
        ...


AS_OF_PARAMETER = "as_of"
