"""Following a database failover without an operator (two centres, east and west: deploy/ha/).

Kiban connects with a multi-host connection string such as
``postgres://user@east:5432,west:5432/kiban?target_session_attrs=read-write``: libpq tries the hosts in order
and keeps only a server that accepts writes, so a *new* connection always reaches the current primary. What
is lost in a failover is the transaction that was running on the old primary. :func:`run_in_transaction`
runs a unit of work in one transaction and, if it fails because the primary went away (connection lost or
refused, the server shutting down or in recovery, a server that became read-only) or because of a
serialization failure or deadlock, closes Django's broken connection and runs the unit again, with bounded
exponential backoff, for up to ``deadline`` seconds in all.

Only idempotent units of work may be retried. A failure *during COMMIT* leaves the client not knowing whether
the transaction committed: the old primary may have written it and the synchronous standby received it
before the crash. Running the unit again must then find the earlier effect and do nothing more. In Kiban a
procedure is made idempotent by its **request id**: the procedure derives the ids of what it writes from the
request id (e.g. ``publish(..., event_id=uuid5(NAMESPACE, request_id))``), and a unique key on
``(tenant, event_id)`` turns a second attempt into a unique violation that the procedure treats as
"already done". Never use this helper for work with side effects outside the database (mail, webhooks):
those belong in the outbox, which the dispatcher delivers after commit.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connections, transaction

T = TypeVar("T")

logger = logging.getLogger(__name__)

# SQLSTATEs after which the same unit of work may succeed on a (new) primary.
RETRYABLE_SQLSTATE_CLASSES = ("08",)  # connection exception
RETRYABLE_SQLSTATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "25006",  # read_only_sql_transaction: the server we are on was demoted to a standby
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now (starting up, in recovery)
        "55000",  # object_not_in_prerequisite_state, e.g. "recovery is in progress"
    }
)


class RetriesExhausted(RuntimeError):
    """The unit of work kept failing with retryable errors for longer than the deadline."""


def _sqlstate(exc: BaseException) -> str | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        state = getattr(current, "sqlstate", None)
        if isinstance(state, str) and state:
            return state
        current = current.__cause__ or current.__context__
    return None


def is_retryable(exc: BaseException) -> bool:
    """True for failures after which running the same (idempotent) unit of work again can succeed."""
    state = _sqlstate(exc)
    if state is not None:
        return state in RETRYABLE_SQLSTATES or state.startswith(RETRYABLE_SQLSTATE_CLASSES)
    # No SQLSTATE: the client library itself failed (connection refused or lost, no read-write host found,
    # "connection already closed").
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency on PostgreSQL
        return False
    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def _discard_connection(using: str) -> None:
    """Drop Django's connection for ``using`` (it may be broken); the next query opens a new one."""
    connection = connections[using]
    with contextlib.suppress(Exception):
        connection.close()
    # close() may have failed half-way on a dead socket: make sure Django will reconnect.
    connection.connection = None
    connection.closed_in_transaction = False
    connection.needs_rollback = False


def run_in_transaction(
    work: Callable[[], T],
    *,
    using: str = "default",
    deadline: float = 60.0,
    first_delay: float = 0.05,
    max_delay: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run ``work()`` in one transaction on ``using``; retry it after a failover (see the module's docstring).

    ``work`` must be idempotent (keyed by a request id). Returns what ``work`` returns once its transaction has
    committed. Non-retryable errors (e.g. validation, an integrity error the unit does not handle) propagate
    at once; retryable ones propagate as :class:`RetriesExhausted` once ``deadline`` seconds have passed.
    Must be called outside any transaction: inside one, a retry could not undo what the outer one did.
    """
    if connections[using].in_atomic_block:
        raise RuntimeError("run_in_transaction() must not be called inside a transaction (it could not retry)")
    started = clock()
    delay = first_delay
    attempt = 0
    while True:
        attempt += 1
        try:
            with transaction.atomic(using=using):
                return work()
        except Exception as exc:
            if not is_retryable(exc):
                raise
            error: BaseException = exc
        elapsed = clock() - started
        if elapsed + delay > deadline:
            raise RetriesExhausted(f"gave up after {attempt} attempts in {elapsed:.1f}s: {error}") from error
        logger.warning(
            "database unavailable, retrying",
            extra={"attempt": attempt, "elapsed_s": round(elapsed, 3), "sqlstate": _sqlstate(error)},
        )
        _discard_connection(using)
        sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not cryptography
        delay = min(delay * 2, max_delay)
