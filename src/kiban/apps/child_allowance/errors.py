"""Refusals with every problem found (Japanese for the counter, English beside it); nothing is written."""

from __future__ import annotations

from kiban.platform.problems import FieldError, Refused
from kiban.platform.problems import Problems as BaseProblems

__all__ = ["ChildAllowanceError", "FieldError", "Problems", "refuse"]


class ChildAllowanceError(Refused):
    """A refusal of the child allowance app with every problem found."""


class Problems(BaseProblems):
    refusal = ChildAllowanceError


def refuse(field_name: str, code: str, message: str, message_en: str) -> ChildAllowanceError:
    return ChildAllowanceError([FieldError(field_name, code, message, message_en)])
