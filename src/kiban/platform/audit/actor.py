"""Who is acting, for the audit trail: set once per request (or command) from the authenticated principal."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    kind: str  # "staff", "client" (machine), "operator", "system", "resident"
    ident: str  # username, OAuth client id, or command name
    on_behalf_of: str = ""  # e.g. counter-assisted input (代理入力): the resident the staff acts with


SYSTEM = Actor("system", "kiban")

_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar("kiban_actor", default=SYSTEM)
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("kiban_request_id", default="")


def current_actor() -> Actor:
    return _actor.get()


def actor_label() -> str:
    """The current actor as the registry's records name who did something: ``kind:ident`` (e.g. ``staff:clerk1``)."""
    actor = _actor.get()
    return f"{actor.kind}:{actor.ident}"


def current_request_id() -> str:
    return _request_id.get()


@contextmanager
def acting_as(actor: Actor, request_id: str | None = None) -> Iterator[Actor]:
    token = _actor.set(actor)
    rtoken = _request_id.set(request_id) if request_id is not None else None
    try:
        yield actor
    finally:
        _actor.reset(token)
        if rtoken is not None:
            _request_id.reset(rtoken)
