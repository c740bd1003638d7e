"""Sample residents for the demo municipality (deterministic; plain names, no real persons).

A stand-in until the synthetic-population generator (``kiban seed``) lands with the migration work.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from kiban.platform.tenants.context import current_tenant_id

from .models import Resident

_FAMILY = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
]
_GIVEN = [("太郎", "タロウ", "1"), ("花子", "ハナコ", "2"), ("一郎", "イチロウ", "1"), ("美咲", "ミサキ", "2"),
          ("健", "ケン", "1"), ("陽菜", "ヒナ", "2"), ("翔", "ショウ", "1"), ("結衣", "ユイ", "2")]  # fmt: skip


def create_sample_residents(count: int, address_prefix: str, seed: int = 1) -> int:
    """Create ``count`` residents in the current tenant's context; returns how many were created."""
    rng = random.Random(seed)  # noqa: S311 - deterministic sample data, not security
    tenant_id = current_tenant_id()
    rows = []
    for i in range(count):
        family, family_kana = rng.choice(_FAMILY)
        given, given_kana, sex = rng.choice(_GIVEN)
        birth = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 94 * 365))
        address = f"{address_prefix}{rng.randint(1, 9)}丁目{rng.randint(1, 30)}番{i % 20 + 1}号"
        rows.append(
            Resident(
                tenant_id=tenant_id,
                family_name=family,
                given_name=given,
                family_name_kana=family_kana,
                given_name_kana=given_kana,
                birth_date=birth,
                sex=sex,
                address=address,
            )
        )
    Resident.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
