"""Roles of the child allowance business and the API scopes of machine clients."""

from kiban.platform.accounts.roles import Role
from kiban.standard.businesses import Business

BUSINESS = Business.CHILD_ALLOWANCE.value
CLERK = Role("child_allowance.clerk", "児童手当担当", "Child allowance clerk")
SUPERVISOR = Role("child_allowance.supervisor", "児童手当責任者", "Child allowance supervisor")
READ_ROLES = (CLERK.code, SUPERVISOR.code)
PROCEDURE_ROLES = (CLERK.code, SUPERVISOR.code)
# Payments and the payer account are decided by the supervisor (支払決議).
SUPERVISOR_ROLES = (SUPERVISOR.code,)
READ_SCOPE = "child_allowance:read"
WRITE_SCOPE = "child_allowance:write"
