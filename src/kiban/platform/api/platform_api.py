"""Platform endpoints: tenants for operators, the audit trail for a municipality's auditors."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from kiban.platform.accounts import roles
from kiban.platform.audit import selectors as audit_selectors
from kiban.platform.audit.models import AuditEntry
from kiban.platform.tenants.models import Tenant

from .principals import tenant_operation
from .problems import Problem, not_found

router = Router(tags=["platform"])


class TenantOut(Schema):
    code: str
    prefecture: str
    name: str
    kana: str
    kind: str


@router.get("/platform/tenants", response=list[TenantOut])
def list_tenants(request: HttpRequest) -> list[Tenant]:
    """Provisioned tenants. Platform operators only (they administer tenants, not residents)."""
    principal = request.auth  # type: ignore[attr-defined]
    if principal.kind != "operator":
        raise Problem(403, "Forbidden", "platform operators only")
    return list(Tenant.objects.all())


class AuditEntryOut(Schema):
    seq: int
    at: datetime
    actor_kind: str
    actor: str
    on_behalf_of: str
    action: str
    object_type: str
    object_id: str
    fields_read: list[str]
    purpose: str
    request_id: str
    hash: str


AUDIT_READ = tenant_operation(business="audit", roles=(roles.AUDITOR.code,), scope="audit:read")


@router.get("/tenants/{code}/audit/entries", response=list[AuditEntryOut])
@AUDIT_READ
def list_audit_entries(request: HttpRequest, code: str, after: int = 0, limit: int = 100) -> list[AuditEntry]:
    return list(audit_selectors.page(after=after, limit=min(max(limit, 1), 500)))


@router.get("/tenants/{code}/audit/entries/{seq}", response=AuditEntryOut)
@AUDIT_READ
def get_audit_entry(request: HttpRequest, code: str, seq: int) -> AuditEntry:
    entry = audit_selectors.by_seq(seq)
    if entry is None:
        raise not_found("audit entry")
    return entry
