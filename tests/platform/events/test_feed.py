"""Pull linkage: the change feed over the API (paged, resumable) and the same events as files."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kiban.platform.events.services import publish
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.services import provision

from .conftest import CARD, CHANGED

SCOPES = "events:read events:subscribe"


def _feed(token: str, code: str, **params: Any) -> Any:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(f"/api/v1/tenants/{code}/events", params)


def test_the_feed_pages_and_resumes_from_a_cursor(any_db: None, client_token: Any) -> None:
    # Committed on PostgreSQL: the feed shows only events of transactions older than every running one.
    tenant_a = provision("131016")
    with tenant_context(tenant_a.code):
        for i in range(7):
            publish(CHANGED, f"resident/{i}", {"n": i})
        publish(CARD, "resident/1", {"card": "secret"})
    token = client_token(tenant_a, businesses=["child_allowance"], scopes=SCOPES)
    seen, cursor = [], ""
    for _ in range(10):
        page = _feed(token, tenant_a.code, business="child_allowance", cursor=cursor, limit=3).json()
        seen += [e["data"]["n"] for e in page["events"]]
        if not page["events"]:
            break
        cursor = page["next_cursor"]
    assert seen == list(range(7))  # in order, and the card event is not visible to child allowance
    with tenant_context(tenant_a.code):
        publish(CHANGED, "resident/0", {"n": 7})
    page = _feed(token, tenant_a.code, business="child_allowance", cursor=cursor).json()
    assert [e["data"]["n"] for e in page["events"]] == [7]


def test_feed_refusals(tenant_a: Any, tenant_b: Any, client_token: Any) -> None:
    token = client_token(tenant_a, businesses=["child_allowance"], scopes=SCOPES)
    hidden = _feed(token, tenant_a.code, business="child_allowance", type=CARD)
    assert hidden.status_code == 422 and "not visible" in hidden.json()["detail"]
    assert _feed(token, tenant_a.code, business="child_allowance", cursor="abc").status_code == 400
    assert _feed(token, tenant_a.code, business="residents").status_code == 404  # no grant for residents
    assert _feed(token, tenant_b.code, business="child_allowance").status_code == 404
    no_scope = client_token(tenant_a, businesses=["child_allowance"], scopes="residents:read")
    assert _feed(no_scope, tenant_a.code, business="child_allowance").status_code == 403


def test_subscriptions_api_for_a_vendor(tenant_a: Any, client_token: Any) -> None:
    token = client_token(tenant_a, businesses=["child_allowance"], scopes=SCOPES)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/tenants/{tenant_a.code}/subscriptions"
    body = {"business": "child_allowance", "event_type": CHANGED, "url": "https://vendor.example/kiban"}
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    refused = client.post(url, body | {"event_type": CARD}, content_type="application/json")
    assert refused.status_code == 422 and "may not receive" in refused.json()["detail"]
    insecure = client.post(url, body | {"url": "http://vendor.example/x"}, content_type="application/json")
    assert insecure.status_code == 422
    listed = client.get(url, {"business": "child_allowance"}).json()
    assert [s["id"] for s in listed] == [created.json()["id"]] and "secret" not in listed[0]
    sub_id = created.json()["id"]
    assert client.delete(f"{url}/{sub_id}?business=child_allowance").status_code == 204
    assert client.get(url, {"business": "child_allowance"}).json()[0]["active"] is False


def test_file_export_writes_the_same_events_with_a_manifest(any_db: None, tmp_path: Path) -> None:
    tenant_a = provision("131016")
    with tenant_context(tenant_a.code):
        for i in range(3):
            publish(CHANGED, f"resident/{i}", {"n": i})
        publish(CARD, "resident/1", {"card": "secret"})
    call_command("events", "export", "--tenant", tenant_a.code, "--business", "child_allowance", "--out", str(tmp_path))
    lines = (tmp_path / "events-131016-child_allowance.jsonl").read_text().splitlines()
    assert [json.loads(line)["data"]["n"] for line in lines] == [0, 1, 2]
    manifest = json.loads((tmp_path / "events-131016-child_allowance.manifest.json").read_text())
    assert manifest["events"] == 3 and len(manifest["sha256"]) == 64
    with pytest.raises(CommandError, match="no event types"):
        call_command("events", "export", "--tenant", tenant_a.code, "--business", "nobody", "--out", str(tmp_path))
    call_command(
        "events", "export", "--tenant", tenant_a.code, "--business", "child_allowance",
        "--cursor", manifest["next_cursor"], "--out", str(tmp_path / "next"),
    )  # fmt: skip
    assert (tmp_path / "next" / "events-131016-child_allowance.jsonl").read_text() == ""
