"""The change feed's horizon (kiban.platform.events.selectors): a cursor never passes an event whose transaction
commits later, and a transaction declared to act for one tenant only (``tenant_context(..., sole=True)``, as the
import, staff and API requests do) does not hold back the other tenants' feeds."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connections, transaction

from kiban.platform.events.selectors import changes_since
from kiban.platform.events.services import publish
from kiban.platform.tenants.context import SoleTenantViolation, _declare_sole, tenant_context
from kiban.platform.tenants.services import provision

from .conftest import CHANGED

pytestmark = [pytest.mark.postgres]

A, B = "131016", "131041"


@pytest.fixture
def tenants(committed_db: None) -> None:
    provision(A)
    provision(B)


def _feed(code: str) -> list[Any]:
    with tenant_context(code):
        return [e.data["n"] for e in changes_since("", [CHANGED], 100)]


def _publish(code: str, n: int) -> None:
    with tenant_context(code):
        publish(CHANGED, f"resident/{n}", {"n": n})


@contextmanager
def _running(code: str, *, sole: bool, n: int) -> Iterator[Callable[[], None]]:
    """Another connection's transaction for ``code`` that has published event ``n`` and stays open until the
    block ends (then it commits)."""
    started, release, failed = threading.Event(), threading.Event(), []

    def work() -> None:
        try:
            with tenant_context(code, sole=sole):
                publish(CHANGED, f"resident/{n}", {"n": n})
                started.set()
                release.wait(30)
        except BaseException as exc:  # reported to the test
            failed.append(exc)
            started.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    started.wait(30)
    try:
        yield release.set
    finally:
        release.set()
        thread.join(30)
    assert not failed, failed


def test_a_cursor_never_passes_an_event_that_commits_later(tenants: None) -> None:
    with _running(A, sole=True, n=1) as commit:
        _publish(A, 2)  # a later transaction of the same tenant commits first
        assert _feed(A) == []  # 2 is held back: the open transaction is older and writes this tenant's events
        commit()
    assert _feed(A) == [1, 2]  # both now, in the order of their transactions


def test_a_sole_transaction_does_not_hold_back_other_tenants(tenants: None) -> None:
    with _running(A, sole=True, n=1):
        _publish(B, 10)
        assert _feed(B) == [10]
        assert _feed(A) == []


def test_an_ordinary_transaction_holds_back_every_feed(tenants: None) -> None:
    # It did not say for which tenant it acts (the dispatcher hands messages over between tenants): any feed waits.
    with _running(A, sole=False, n=1) as commit:
        _publish(B, 10)
        assert _feed(B) == []
        commit()
    assert _feed(B) == [10]


def test_a_sole_transaction_cannot_act_for_another_tenant(tenants: None) -> None:
    with tenant_context(A, sole=True):
        publish(CHANGED, "resident/1", {"n": 1})
        with pytest.raises(SoleTenantViolation, match="for tenant 131016 only"), tenant_context(B):
            pass
        with tenant_context(A):  # its own tenant again, nested: fine
            publish(CHANGED, "resident/2", {"n": 2})
    with tenant_context(B):  # the declaration ended with the transaction
        publish(CHANGED, "resident/3", {"n": 3})
    assert _feed(A) == [1, 2] and _feed(B) == [3]


def test_sole_is_ignored_inside_an_outer_transaction(tenants: None) -> None:
    with tenant_context(B):
        publish(CHANGED, "resident/1", {"n": 1})
        with tenant_context(A, sole=True):  # the outer transaction has written for B already
            publish(CHANGED, "resident/2", {"n": 2})
        with tenant_context(B):
            publish(CHANGED, "resident/3", {"n": 3})
    assert _feed(A) == [2] and _feed(B) == [1, 3]


def test_a_transaction_that_has_written_cannot_declare_itself_sole(tenants: None) -> None:
    with transaction.atomic(), connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()")  # it has a transaction id now
        assert _declare_sole("default", A) is False
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objid = %s",
            [int(A)],
        )
        assert cursor.fetchone()[0] == 0
    with transaction.atomic():
        assert _declare_sole("default", A) is True


def test_a_staff_request_declares_its_tenant_sole(tenants: None) -> None:
    """Outside the test suite's usual wrapping transaction (where ``sole`` is ignored), as in production."""
    from django.db import connection
    from django.http import HttpRequest, HttpResponse
    from django.test import RequestFactory

    from kiban.platform.tenants.context import SOLE_LOCK_SPACE
    from kiban.platform.web.staff import staff_view

    class Clerk:
        is_authenticated, is_operator, username, tenant_id = True, False, "clerk", A

        def is_verified(self) -> bool:
            return True

        def has_role(self, role: str) -> bool:
            return True

    held: list[str] = []

    @staff_view("residents.clerk")
    def view(request: HttpRequest) -> HttpResponse:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT objid::text FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                "AND classid = %s::oid AND objsubid = 2",
                [SOLE_LOCK_SPACE],
            )
            held.extend(row[0] for row in cursor.fetchall())
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = Clerk()
    assert view(request).status_code == 200
    assert held == [A]
