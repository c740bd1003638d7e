"""In-process subscribers: business apps register handlers by name (from their ``AppConfig.ready``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any]], None]
_handlers: dict[str, Handler] = {}


def register(name: str, handler: Handler) -> None:
    if name in _handlers and _handlers[name] is not handler:
        raise ValueError(f"handler {name!r} registered twice")
    _handlers[name] = handler


def unregister(name: str) -> None:
    _handlers.pop(name, None)


def get(name: str) -> Handler:
    try:
        return _handlers[name]
    except KeyError:
        raise LookupError(f"no in-process handler named {name!r}") from None
