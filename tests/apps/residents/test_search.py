"""Search by kana and name as people type them, only by defined combinations of criteria."""

from typing import Any

import pytest

from kiban.apps.residents import selectors
from kiban.apps.residents.validation import ProcedureError
from kiban.platform.tenants.context import tenant_context


def test_kana_and_names_are_found_however_they_are_typed(tenant_a: Any, make_resident: Any) -> None:
    oono = make_resident(tenant_a, "オオノ", family_name="大野", given_name="髙子", given_name_kana="タカコ")
    make_resident(tenant_a, "オノ", family_name="小野")
    with tenant_context(tenant_a.code):
        for typed in ("オオノ", "おうの", "ｵｰﾉ", "オーノ タカコ"):
            found = selectors.search(selectors.SearchCriteria(kana=typed), "test")
            assert [r.id for r in found] == [oono.id], typed
        assert [r.id for r in selectors.search(selectors.SearchCriteria(name="大野　高子"), "test")] == [oono.id]
        assert len(selectors.search(selectors.SearchCriteria(kana="オ"), "test")) == 2


def test_only_defined_combinations_are_searched(tenant_a: Any) -> None:
    import datetime

    with tenant_context(tenant_a.code):
        with pytest.raises(ProcedureError):
            selectors.search(selectors.SearchCriteria(birth_date=datetime.date(1980, 1, 1)), "test")
        with pytest.raises(ProcedureError):
            selectors.search(selectors.SearchCriteria(resident_code="12345678901", kana="ヤ"), "test")
