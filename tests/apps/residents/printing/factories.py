"""Plain certificate contents for the printing tests (no database)."""

from __future__ import annotations

from datetime import date
from typing import Any

from kiban.apps.residents.printing.content import CertificateContent, HistoryLine, PersonEntry

CODE = "13101-ABCD-EFGH-JKLM-NPQR"


def person(**overrides: Any) -> PersonEntry:
    values: dict[str, Any] = {
        "family_name": "山田",
        "given_name": "太郎",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "タロウ",
        "birth_date": date(1980, 5, 6),
        "sex": "男",
        "became_resident_on": date(2010, 4, 1),
        "moved_in_on": date(2019, 5, 1),
    }
    values.update(overrides)
    return PersonEntry(**values)


def family(count: int) -> tuple[PersonEntry, ...]:
    names = ["太郎", "花子", "一郎", "二郎", "三郎", "四郎", "五郎"]
    return tuple(
        person(
            given_name=names[i], birth_date=date(1980 + i * 5, 1 + i, 1 + i), relationship="世帯主" if i == 0 else "子"
        )
        for i in range(count)
    )


def content(**overrides: Any) -> CertificateContent:
    values: dict[str, Any] = {
        "kind": "resident_copy",
        "layout": "household",
        "municipality_name": "東京都千代田区",
        "mayor": "千代田区長　樋口　高顕",
        "address": "東京都千代田区九段南1丁目2番1号　九段ハイツ101",
        "householder_name": "山田　太郎",
        "persons": family(2),
        "issued_on": date(2024, 4, 1),
        "issue_number": "20240401 千代田区 本庁1 001",
        "verification_code": CODE,
        "verification_url": f"https://kiban.example/verify/{CODE}/",
    }
    values.update(overrides)
    return CertificateContent(**values)


def history(count: int) -> tuple[HistoryLine, ...]:
    return tuple(
        HistoryLine(date(2000 + i, 4, 1), date(2000 + i, 4, 8), "転居", f"千代田区九段南{i + 1}-2-1 から転居")
        for i in range(count)
    )
