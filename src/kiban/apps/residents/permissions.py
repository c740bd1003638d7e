"""Roles of the resident registry business and the API scopes of machine clients."""

from kiban.platform.accounts.roles import Role

BUSINESS = "residents"
CLERK = Role("residents.clerk", "住民記録担当", "Resident registry clerk")
SUPERVISOR = Role("residents.supervisor", "住民記録責任者", "Resident registry supervisor")
READ_ROLES = (CLERK.code, SUPERVISOR.code)
# Notifications are processed by clerks; actions by authority (職権記載・消除・修正) and releasing a support measure
# need the supervisor (the standard's 決裁 on 職権処理).
PROCEDURE_ROLES = (CLERK.code, SUPERVISOR.code)
SUPERVISOR_ROLES = (SUPERVISOR.code,)
READ_SCOPE = "residents:read"
WRITE_SCOPE = "residents:write"
