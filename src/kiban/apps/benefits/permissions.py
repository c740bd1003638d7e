"""Roles of the emergency benefits business (not one of the standardized 基幹業務: a municipal business of its own)."""

from kiban.platform.accounts.roles import Role

BUSINESS = "benefits"
CLERK = Role("benefits.clerk", "給付金担当", "Benefits clerk")
SUPERVISOR = Role("benefits.supervisor", "給付金責任者", "Benefits supervisor")
READ_ROLES = (CLERK.code, SUPERVISOR.code)
PROCEDURE_ROLES = (CLERK.code, SUPERVISOR.code)
# Defining a benefit, preparing its households and paying are the supervisor's (支給決定・支払決議).
SUPERVISOR_ROLES = (SUPERVISOR.code,)
READ_SCOPE = "benefits:read"
WRITE_SCOPE = "benefits:write"
