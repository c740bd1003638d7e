"""Roles of the resident registry business and the API scopes of machine clients."""

from kiban.platform.accounts.roles import Role

BUSINESS = "residents"
CLERK = Role("residents.clerk", "住民記録担当", "Resident registry clerk")
SUPERVISOR = Role("residents.supervisor", "住民記録責任者", "Resident registry supervisor")
READ_ROLES = (CLERK.code, SUPERVISOR.code)
READ_SCOPE = "residents:read"
