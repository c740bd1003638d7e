"""Refusals with every problem found (Japanese for the counter, English beside it); nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    code: str
    message: str
    message_en: str


@dataclass
class Problems:
    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, code: str, message: str, message_en: str) -> None:
        self.errors.append(FieldError(field_name, code, message, message_en))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ChildAllowanceError(self.errors)

    def __bool__(self) -> bool:
        return bool(self.errors)


class ChildAllowanceError(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(e.message_en for e in errors))
        self.errors = errors


def refuse(field_name: str, code: str, message: str, message_en: str) -> ChildAllowanceError:
    return ChildAllowanceError([FieldError(field_name, code, message, message_en)])
