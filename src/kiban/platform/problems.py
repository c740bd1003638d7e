"""Refusals that list every problem found, each with its field, a stable code, and the message in Japanese (for the
counter and the resident) and English; nothing is written (CONVENTIONS.md, "Errors").

Each business app names its own refusal (``ProcedureError`` of the registry, ``BenefitError``,
``ChildAllowanceError``) as a subclass of ``Refused`` and collects problems with a ``Problems`` that raises it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str  # Japanese
    message_en: str


class Refused(Exception):
    """One or more problems with the input; nothing was written."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message} ({e.message_en})" for e in errors))


class Problems:
    """Collects FieldErrors; ``raise_if_any`` at the end of the checks raises ``refusal`` with all of them."""

    refusal: type[Refused] = Refused

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def __bool__(self) -> bool:
        return bool(self.errors)

    def add(self, field: str, code: str, message: str, message_en: str) -> None:
        self.errors.append(FieldError(field, code, message, message_en))

    def raise_if_any(self) -> None:
        if self.errors:
            raise self.refusal(self.errors)
