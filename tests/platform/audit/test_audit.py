"""The audit trail: what is recorded, that it cannot be changed, and that tampering is found by position."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, connections, transaction

from kiban.apps.residents.permissions import CLERK
from kiban.platform.audit.actor import Actor, acting_as
from kiban.platform.audit.models import AuditEntry
from kiban.platform.audit.services import record, verify
from kiban.platform.tenants.context import tenant_context
from tests.conftest import ON_POSTGRES, sign_in


def test_listing_and_opening_are_distinct_entries_with_fields_and_purpose(
    tenant_a: Any, make_staff: Any, make_resident: Any
) -> None:
    first = make_resident(tenant_a, "ヤマダ")
    second = make_resident(tenant_a, "ヤマモト")
    make_resident(tenant_a, "スズキ")
    client = sign_in(make_staff(tenant_a, "clerk", [CLERK.code]))
    response = client.get(
        "/staff/residents/", {"kana": "ヤマ", "purpose": "住民票の写しの交付"}, HTTP_X_REQUEST_ID="req-0001-abc"
    )
    assert response.status_code == 200
    client.get(f"/staff/residents/{first.id}/", {"purpose": "住民票の写しの交付"})
    with tenant_context(tenant_a.code):
        entries = list(AuditEntry.objects.order_by("seq"))
    listed = [e for e in entries if e.action == "resident.listed"]
    assert sorted(e.object_id for e in listed) == sorted([str(first.id), str(second.id)])
    assert all(e.actor == "clerk" and e.actor_kind == "staff" and e.purpose == "住民票の写しの交付" for e in listed)
    assert all(e.request_id == "req-0001-abc" for e in listed)
    assert "address" not in listed[0].fields_read and "birth_date" in listed[0].fields_read
    (opened,) = [e for e in entries if e.action == "resident.read"]
    assert opened.object_id == str(first.id) and "address" in opened.fields_read
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))


def test_opening_a_record_requires_a_stated_purpose(tenant_a: Any, make_staff: Any, make_resident: Any) -> None:
    resident = make_resident(tenant_a)
    client = sign_in(make_staff(tenant_a, "clerk", [CLERK.code]))
    response = client.get(f"/staff/residents/{resident.id}/", {"purpose": ""})
    assert response.status_code == 400
    assert "purpose" in response.context["form"].errors
    with tenant_context(tenant_a.code):
        assert not AuditEntry.objects.filter(action__startswith="resident.").exists()


def test_chains_are_per_tenant(tenant_a: Any, tenant_b: Any) -> None:
    with tenant_context(tenant_a.code):
        record("x")
        record("y")
    with tenant_context(tenant_b.code):
        assert record("z").seq == 1
        assert verify().ok
    with tenant_context(tenant_a.code):
        result = verify()
        assert result.ok and result.entries == 2


def test_the_application_cannot_update_or_delete_audit_entries(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):
        entry = record("x", purpose="p")
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(purpose="changed")
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()
        assert AuditEntry.objects.get().purpose == "p"


@pytest.mark.postgres
def test_the_app_role_lacks_the_grants_as_well_as_the_trigger(db: None) -> None:
    with connection.cursor() as c:
        c.execute("SELECT has_table_privilege(current_user, 'audit_auditentry', 'UPDATE'), "
                  "has_table_privilege(current_user, 'audit_auditentry', 'DELETE'), "
                  "has_table_privilege(current_user, 'audit_auditentry', 'TRUNCATE'), "
                  "has_table_privilege(current_user, 'audit_auditentry', 'INSERT')")  # fmt: skip
        assert c.fetchone() == (False, False, False, True)


@pytest.mark.postgres
def test_even_the_owner_is_stopped_by_the_trigger(any_db: None) -> None:
    from kiban.platform.tenants.services import provision

    provision("131016")
    with tenant_context("131016"):
        record("x")
    owner = connections["owner"]
    with owner.cursor() as c, pytest.raises(DatabaseError, match="append-only"):
        c.execute("UPDATE audit_auditentry SET purpose = 'forged'")


# --- Tampering by someone with direct database access, and its detection --------------------------------------


@pytest.fixture
def dba(any_db: None) -> Callable[[str, list[Any]], None]:
    """Run SQL as a database administrator who switches the guards off (owner role, triggers disabled)."""

    def run(sql: str, params: list[Any]) -> None:
        if ON_POSTGRES:
            with connections["owner"].cursor() as c:
                c.execute("SET session_replication_role = replica")  # disables the append-only trigger
                c.execute(sql, params)
                c.execute("SET session_replication_role = DEFAULT")
        else:
            with connection.cursor() as c:
                c.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
                c.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
                c.execute(sql, params)

    return run


@pytest.fixture
def chain(any_db: None) -> str:
    from kiban.platform.tenants.services import provision

    code = provision("131016").code
    with acting_as(Actor("staff", "clerk")), tenant_context(code):
        for i in range(1, 9):
            record("resident.read", "resident", str(i), ["family_name"], "証明書交付")
    return code


def _verify(code: str) -> Any:
    with tenant_context(code):
        return verify()


def test_an_intact_chain_verifies(chain: str) -> None:
    result = _verify(chain)
    assert result.ok and result.entries == 8


def test_an_altered_entry_is_found_at_its_position(chain: str, dba: Any) -> None:
    dba("UPDATE audit_auditentry SET purpose = 'なし' WHERE seq = 5", [])
    result = _verify(chain)
    assert (result.ok, result.position, result.problem) == (False, 5, "altered")


def test_an_altered_hash_is_found_too(chain: str, dba: Any) -> None:
    dba("UPDATE audit_auditentry SET object_id = '99', hash = %s WHERE seq = 3", ["f" * 64])
    result = _verify(chain)
    assert (result.ok, result.position) == (False, 3)


def test_a_removed_entry_is_found_at_its_position(chain: str, dba: Any) -> None:
    dba("DELETE FROM audit_auditentry WHERE seq = 4", [])
    result = _verify(chain)
    assert (result.ok, result.position, result.problem) == (False, 4, "removed")


def test_a_removed_entry_with_renumbering_is_found(chain: str, dba: Any) -> None:
    dba("DELETE FROM audit_auditentry WHERE seq = 4", [])
    dba("UPDATE audit_auditentry SET seq = seq - 1 WHERE seq > 4", [])
    result = _verify(chain)
    assert (result.ok, result.position, result.problem) == (False, 4, "removed")


def test_an_inserted_entry_is_found_at_its_position(chain: str, dba: Any) -> None:
    dba("UPDATE audit_auditentry SET seq = seq + 100 WHERE seq >= 6", [])
    dba("UPDATE audit_auditentry SET seq = seq - 99 WHERE seq >= 106", [])
    dba(
        """INSERT INTO audit_auditentry (tenant_id, seq, at, actor_kind, actor, on_behalf_of, action, object_type,
           object_id, fields_read, purpose, request_id, prev_hash, hash)
           SELECT tenant_id, 6, at, actor_kind, 'intruder', '', 'resident.read', 'resident', '42', fields_read,
                  purpose, request_id, hash, %s FROM audit_auditentry WHERE seq = 5""",
        ["a" * 64],
    )
    result = _verify(chain)
    assert (result.ok, result.position, result.problem) == (False, 6, "inserted")


def test_entries_cut_from_the_end_are_found(chain: str, dba: Any) -> None:
    dba("DELETE FROM audit_auditentry WHERE seq >= 7", [])
    result = _verify(chain)
    assert (result.ok, result.position, result.problem) == (False, 7, "truncated")


def test_the_verify_command_reports_and_fails(chain: str, dba: Any, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("audit", "verify", "--tenant", chain)
    assert "OK: 8 entries" in capsys.readouterr().out
    dba("UPDATE audit_auditentry SET actor = 'someone-else' WHERE seq = 2", [])
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify", "--tenant", chain)
    assert exc.value.code == 1
    assert "TAMPERED at position 2: altered" in capsys.readouterr().err


def test_the_verify_command_refuses_bad_tenant_codes(db: None) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="check digit"):
        call_command("audit", "verify", "--tenant", "131017")
    with pytest.raises(CommandError, match="not a provisioned tenant"):
        call_command("audit", "verify", "--tenant", "131016")


def test_concurrent_first_entries_do_not_break_the_chain(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):
        entries = [record(f"a{i}") for i in range(20)]
        assert [e.seq for e in entries] == list(range(1, 21))
        assert verify().ok
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditEntry.objects.create(
                seq=3, at=entries[0].at, actor_kind="x", actor="x", action="x", prev_hash="", hash=""
            )


def test_the_hash_is_the_documented_hmac_and_verify_reads_it_back(tenant_a: Any) -> None:
    """The chain's format is a contract with every entry already stored: HMAC-SHA256 under the tenant's key
    (HMAC of ``audit-chain:CODE`` under ``AUDIT_KEY``) of the compact JSON ``[tenant, seq, at (UTC, microseconds),
    actor_kind, actor, on_behalf_of, action, object_type, object_id, fields_read, purpose, request_id, prev_hash]``,
    computed here independently of the code under test; ``verify`` (on PostgreSQL, times and fields read back as
    text) accepts exactly these hashes."""
    import datetime as dt
    import hashlib
    import hmac
    import json

    from django.conf import settings

    with acting_as(Actor("staff", "窓口 一郎", on_behalf_of='代理 "人"')), tenant_context(tenant_a.code):
        record("resident.read", "resident", "7", ["氏名", "a, b", 'q"uote', "改行\nあり"], purpose="本人確認、交付")
        record("resident.listed", "resident", "8", [], purpose="")
        entries = list(AuditEntry.objects.order_by("seq"))
        key = hmac.digest(settings.AUDIT_KEY.encode(), f"audit-chain:{tenant_a.code}".encode(), "sha256")
        prev = "0" * 64
        for e in entries:
            at = e.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
            body = [tenant_a.code, e.seq, at, e.actor_kind, e.actor, e.on_behalf_of, e.action, e.object_type,
                    e.object_id, e.fields_read, e.purpose, e.request_id, prev]  # fmt: skip
            canonical = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            assert e.prev_hash == prev and e.hash == hmac.new(key, canonical, hashlib.sha256).hexdigest()
            prev = e.hash
        assert verify().ok and verify().entries == len(entries)
