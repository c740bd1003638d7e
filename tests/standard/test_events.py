import uuid

import pytest
from pydantic import ValidationError

from kiban.standard.events import SCHEMA_VERSION, EventEnvelope


def envelope(**changes):
    data = {
        "id": str(uuid.uuid4()),
        "type": "residents.resident.changed",
        "tenant": "131016",
        "subject": "0000001",
        "occurred_at": "2024-04-01T09:00:00+09:00",
        "data": {"reason": "国内転入"},
    }
    return {**data, **changes}


def test_an_envelope_as_the_platform_sends_it_validates_with_the_default_schema_version():
    event = EventEnvelope.model_validate(envelope())
    assert event.schema_version == SCHEMA_VERSION
    assert event.tenant == "131016"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tenant": "131017"}, "check digit is 7, expected 6"),
        ({"occurred_at": "2024-04-01T09:00:00"}, "Input should have timezone info"),
        ({"type": "ResidentChanged"}, "String should match pattern"),
        ({"id": "not-a-uuid"}, "Input should be a valid UUID"),
        ({"subject": ""}, "at least 1 character"),
    ],
)
def test_bad_envelopes_are_refused(changes, message):
    with pytest.raises(ValidationError, match=message):
        EventEnvelope.model_validate(envelope(**changes))


def test_envelope_fields_carry_japanese_titles():
    assert {name: field.title for name, field in EventEnvelope.model_fields.items()} == {
        "id": "イベントID",
        "type": "イベント種別",
        "tenant": "全国地方公共団体コード",
        "subject": "対象",
        "occurred_at": "発生日時",
        "data": "内容",
        "schema_version": "スキーマバージョン",
    }
