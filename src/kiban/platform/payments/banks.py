"""金融機関コード (bank code, 4 digits) and 店舗コード (branch code, 3 digits), checked against the public list.

The list is the one published by the zengin-code project (https://github.com/zengin-code/source-data, MIT),
packaged on PyPI as ``zengin-code`` (data as of the date in its ``updated_at``). Only the data files are read
(the package's own module loads every branch of every bank at import): one JSON file for the banks and one per
bank for its branches, each read once.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class BankCheck:
    """The problems with a bank/branch pair (empty if none), and the kana names found for the file."""

    problems: tuple[tuple[str, str, str, str], ...]  # (field, code, Japanese, English)
    bank_kana: str = ""
    branch_kana: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


@functools.cache
def _data_dir() -> Path | None:
    spec = importlib.util.find_spec("zengin_code")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "source-data" / "data"
    return path if path.is_dir() else None


@functools.cache
def _banks() -> dict[str, dict[str, str]]:
    directory = _data_dir()
    if directory is None:
        return {}
    data: dict[str, dict[str, str]] = json.loads((directory / "banks.json").read_text("utf-8"))
    return data


@functools.cache
def _branches(bank_code: str) -> dict[str, dict[str, str]]:
    directory = _data_dir()
    path = None if directory is None else directory / "branches" / f"{bank_code}.json"
    if path is None or not path.is_file():
        return {}
    data: dict[str, dict[str, str]] = json.loads(path.read_text("utf-8"))
    return data


def list_available() -> bool:
    """Whether the public bank list is installed (without it only the form of the codes is checked)."""
    return _data_dir() is not None


def check(bank_code: str, branch_code: str, *, prefix: str = "") -> BankCheck:
    """Problems with the pair (field names prefixed with ``prefix``), and the kana names from the list."""
    return _check(bank_code, branch_code, prefix)


@functools.lru_cache(maxsize=65536)
def _check(bank_code: str, branch_code: str, prefix: str) -> BankCheck:
    problems: list[tuple[str, str, str, str]] = []
    if not (bank_code.isascii() and bank_code.isdigit() and len(bank_code) == 4):
        problems.append((f"{prefix}bank_code", "invalid", "金融機関コードは4桁の数字です。",
                         "The bank code is 4 digits."))  # fmt: skip
    if not (branch_code.isascii() and branch_code.isdigit() and len(branch_code) == 3):
        problems.append((f"{prefix}branch_code", "invalid", "店舗コード（支店番号）は3桁の数字です。",
                         "The branch code is 3 digits."))  # fmt: skip
    if problems or not list_available():
        return BankCheck(tuple(problems))
    bank = _banks().get(bank_code)
    if bank is None:
        return BankCheck(((f"{prefix}bank_code", "unknown", f"金融機関コード {bank_code} は存在しません。",
                           f"There is no bank with code {bank_code}."),))  # fmt: skip
    branch = _branches(bank_code).get(branch_code)
    if branch is None:
        return BankCheck(((f"{prefix}branch_code", "unknown",
                           f"{bank['name']}に店舗コード {branch_code} の支店はありません。",
                           f"Bank {bank_code} has no branch {branch_code}."),))  # fmt: skip
    return BankCheck((), bank.get("kana", ""), branch.get("kana", ""))
