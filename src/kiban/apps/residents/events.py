"""Events the resident registry publishes (the data linkage other businesses rely on).

Payloads carry the minimum: identifiers and what changed; details are fetched through the audited API.
Residence card changes of foreign residents are visible only to the registry itself (a child allowance system
has no need of residence card numbers).
"""

from kiban.platform.events.types import EventType, register
from kiban.standard.businesses import Business

ALL_BUSINESSES = frozenset(b.value for b in Business)

RESIDENT_CHANGED = EventType(
    "residents.resident.changed", ALL_BUSINESSES, "a notification (異動) changed a resident's record"
)
RESIDENCE_CARD_CHANGED = EventType(
    "residents.foreign_resident.card_changed",
    frozenset({Business.RESIDENTS.value}),
    "a foreign resident's residence card (在留カード) details changed",
)

# Between municipalities (through the platform's inter-municipality channel, kiban.platform.events):
MOVE_OUT_NOTICE = EventType(
    "residents.transfer.move_out_notice",
    frozenset({Business.RESIDENTS.value}),
    "転出証明書情報 / 転入予定: a resident moving here notified the move-out at their municipality (法24条の2)",
)
MOVE_IN_NOTICE = EventType(
    "residents.transfer.move_in_notice",
    frozenset({Business.RESIDENTS.value}),
    "転入通知: a resident who moved out of here was recorded by the destination (法9条1項)",
)

SUPPORT_MEASURE_BLOCKED = EventType(
    "residents.support_measure.blocked",
    frozenset({Business.RESIDENTS.value}),
    "alert to the registry's supervisors: a request about a person under a support measure (支援措置) was refused",
)

# 抑止設定及び解除について宛名システム等にデータ連携できること (住民記録システム標準仕様書 3.2, j420): every
# other business (宛名 of taxes, insurance, allowances …) learns that a person's support measure (支援措置) was set,
# confirmed, extended or released, to hold back the person's address in its own outputs. Only the identifier,
# whether the person is protected and until when: never the reason, the requester or the perpetrator.
SUPPORT_MEASURE_CHANGED = EventType(
    "residents.support_measure.changed",
    ALL_BUSINESSES,
    "抑止設定・解除: a person's support measure (支援措置) was set, confirmed, extended or released",
)

# Notices to outside bodies (``external_notices``), each recorded as sent when published:
# 戸籍の附票記載事項通知 (住民基本台帳法19条; 標準仕様書 7.2.4 j1200) for the 戸籍附票 system of the 本籍地 — this
# municipality's own (published here), or another municipality's on the platform (through the inter-municipality
# channel, published there). The items of the 附票 (法17条) only: never the 個人番号.
KOSEKI_FUHYO_NOTICE = EventType(
    "residents.koseki_fuhyo.notice",
    frozenset({Business.RESIDENTS.value, Business.FAMILY_REGISTER_SUPPLEMENT.value}),
    "戸籍附票記載事項通知: a change of a resident's 住所 or of another item the 附票 holds, for the 本籍地 (法19条)",
)
# 市町村通知 to the 出入国在留管理庁 (入管法61条の8の2; 標準仕様書 4.5.7 j970), for the registry's connector to the
# 出入国在留管理庁連携端末: visible to the registry only (it carries the 在留カード等の番号).
IMMIGRATION_NOTICE = EventType(
    "residents.immigration.notice",
    frozenset({Business.RESIDENTS.value}),
    "市町村通知: a foreign resident's 住居地 was entered, changed or removed (入管法61条の8の2)",
)

# The 住基ネット (CS) messages (標準仕様書 7.1.1.1 CSへの自動送信, j1090), for the registry's connector to its
# CS (there is no CS line here; the 電文仕様 of the 既存住基システム改造仕様書 is not public). Visible to the registry
# only: the 本人確認情報 carries the 個人番号 (decrypted when sent, never kept in ``ExternalNoticeSent.content``).
CS_IDENTITY_NOTICE = EventType(
    "residents.cs.identity_notice",
    frozenset({Business.RESIDENTS.value}),
    "本人確認情報の通知: a resident's 氏名・生年月日・性別・住所・住民票コード・個人番号 changed (法30条の6)",
)
# 転入通知 (法9条1項) to a municipality not on the platform, over the CS (one on the platform gets MOVE_IN_NOTICE).
CS_MOVE_IN_NOTICE = EventType(
    "residents.cs.move_in_notice",
    frozenset({Business.RESIDENTS.value}),
    "転入通知 over the CS: a resident moved in here from a municipality not on the platform (法9条1項)",
)


def register_event_types() -> None:
    register(RESIDENT_CHANGED, RESIDENCE_CARD_CHANGED, MOVE_OUT_NOTICE, MOVE_IN_NOTICE, SUPPORT_MEASURE_BLOCKED,
             SUPPORT_MEASURE_CHANGED, KOSEKI_FUHYO_NOTICE, IMMIGRATION_NOTICE, CS_IDENTITY_NOTICE,
             CS_MOVE_IN_NOTICE)  # fmt: skip
