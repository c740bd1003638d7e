"""Sample households for the demo municipality (deterministic; plain names, no real persons).

A stand-in for the synthetic-population generator (``kiban seed``) of the migration work.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from kiban.platform.tenants.context import current_tenant_id
from kiban.platform.tenants.models import Tenant
from kiban.standard.numbers import make_resident_code

from . import certificates
from .bulk import LoadHousehold, LoadPerson, load
from .validation import PersonData

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
_MEN = [("太郎", "タロウ"), ("一郎", "イチロウ"), ("健", "ケン"), ("翔", "ショウ"), ("大輔", "ダイスケ")]
_WOMEN = [("花子", "ハナコ"), ("美咲", "ミサキ"), ("陽菜", "ヒナ"), ("結衣", "ユイ"), ("直子", "ナオコ")]


DEMO_MAYOR_NAME = "見本　一郎"  # made up, like the residents: no real person


def ensure_demo_certifier() -> None:
    """Give the demo municipality a certifier (認証者, 標準仕様書 1.3.9), without which no certificate is issued:
    a made-up mayor, from 2000-01-01. Left alone when one is already registered."""
    if certificates.certifiers():
        return
    tenant = Tenant.objects.get(code=current_tenant_id())
    certificates.register_certifier(
        certificates.CertifierData("mayor", f"{tenant.name}長", DEMO_MAYOR_NAME, date(2000, 1, 1))
    )


def create_sample_residents(count: int, address_prefix: str, seed: int = 1) -> int:
    """Create about ``count`` residents in households of one to four in the current tenant, and the demo
    certifier (``ensure_demo_certifier``); returns how many residents."""
    ensure_demo_certifier()
    rng = random.Random(seed)  # noqa: S311 - deterministic sample data, not security
    households: list[LoadHousehold] = []
    made = 0
    serial = seed * 10_000_000
    while made < count:
        family, family_kana = rng.choice(_FAMILY)
        size = min(count - made, rng.choice([1, 1, 2, 2, 3, 4]))
        head_birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 60 * 365))
        moved_in = head_birth + timedelta(
            days=rng.randrange(20 * 365, max(20 * 365 + 1, (date(2026, 1, 1) - head_birth).days))
        )
        members = []
        for k in range(size):
            sex = "1" if (k == 0) != (rng.random() < 0.3) else "2"
            given, given_kana = rng.choice(_MEN if sex == "1" else _WOMEN)
            if k == 0:
                relationship, birth = "世帯主", head_birth
            elif k == 1:
                relationship, birth = (
                    ("妻" if sex == "2" else "夫"),
                    head_birth + timedelta(days=rng.randrange(-1500, 1500)),
                )
            else:
                relationship = "子"
                birth = min(moved_in, head_birth + timedelta(days=rng.randrange(22 * 365, 40 * 365)))
            serial += 1
            person = PersonData(
                family_name=family,
                given_name=given,
                family_name_kana=family_kana,
                given_name_kana=given_kana,
                birth_date=birth,
                sex=sex,
                relationship=relationship,
                domicile="東京都千代田区千代田1番",
                domicile_head=f"{family}　{rng.choice(_MEN)[0]}",
                resident_code=make_resident_code(f"{serial:010d}"),
            )
            members.append(LoadPerson(person, became_resident_on=moved_in, moved_in_on=moved_in))
        households.append(
            LoadHousehold(
                address=f"{address_prefix}{rng.randint(1, 9)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号",
                members=members,
                district=f"{address_prefix}{rng.randint(1, 9)}丁目",
            )
        )
        made += size
    return load(households, request_id=f"sample-{seed}-{count}", note="demo sample residents")
