"""Roles: what a person may do, per business. Least privilege: an account starts with no role.

Business apps declare their roles with ``register()`` from their ``AppConfig.ready``; the platform knows the
roles only through this registry (it imports no business app). Platform roles are declared here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Role:
    code: str  # "<business>.<name>", e.g. "residents.clerk"
    label_ja: str
    label_en: str
    platform: bool = False  # held by platform operators (no tenant); such roles never read resident data


_registry: dict[str, Role] = {}


def register(*roles: Role) -> None:
    for role in roles:
        existing = _registry.get(role.code)
        if existing is not None and existing != role:
            raise ValueError(f"role {role.code} registered twice with different definitions")
        _registry[role.code] = role


def get(code: str) -> Role:
    try:
        return _registry[code]
    except KeyError:
        raise ValueError(f"unknown role {code!r}; known: {', '.join(sorted(_registry))}") from None


def all_roles() -> list[Role]:
    return sorted(_registry.values(), key=lambda r: r.code)


PLATFORM_OPERATOR = Role("platform.operator", "プラットフォーム運用者", "Platform operator", platform=True)
TENANT_ADMIN = Role("platform.tenant_admin", "団体管理者", "Municipality account administrator")
AUDITOR = Role("platform.auditor", "監査担当", "Auditor (reads the audit trail)")
register(PLATFORM_OPERATOR, TENANT_ADMIN, AUDITOR)
