"""The behavioural checks. Each is a function of the ``Target``; it raises ``AssertionError`` with a message
saying what the standard expects, and what the implementation did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .http import Response, basic_auth, request

PROBLEM = "application/problem+json"


@dataclass
class Target:
    base_url: str
    tenant: str
    client_id: str
    client_secret: str
    other_tenant: str
    business: str = "residents"
    token: str = field(default="", repr=False)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def api(self, method: str, path: str, **kwargs: object) -> Response:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return request(method, self.url("/api/v1" + path), headers=headers, **kwargs)  # type: ignore[arg-type]


Check = Callable[[Target], None]
CHECKS: list[tuple[str, str, Check]] = []


def check(name: str, description: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS.append((name, description, fn))
        return fn

    return register


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def expect_problem(response: Response, status: int) -> None:
    expect(response.status == status, f"expected HTTP {status}, got {response.status}: {response.body[:200]!r}")
    expect(response.content_type == PROBLEM, f"expected {PROBLEM} (RFC 9457), got {response.content_type!r}")
    body = response.json()
    expect(body.get("status") == status and "title" in body, f"problem document lacks status/title: {body}")


@check("openapi.published", "An OpenAPI 3.1 document is published at /api/v1/openapi.json")
def openapi_published(t: Target) -> None:
    r = request("GET", t.url("/api/v1/openapi.json"))
    expect(r.status == 200, f"GET /api/v1/openapi.json gave {r.status}")
    doc = r.json()
    expect(str(doc.get("openapi", "")).startswith("3.1"), f"openapi version is {doc.get('openapi')!r}, not 3.1")
    for path in ("/api/v1/tenants/{code}/residents", "/api/v1/tenants/{code}/events"):
        expect(path in doc.get("paths", {}), f"the document has no path {path}")


@check("auth.token", "A machine client obtains a bearer token with the client-credentials grant")
def token(t: Target) -> None:
    r = request(
        "POST", t.url("/o/token/"), headers=basic_auth(t.client_id, t.client_secret),
        form={"grant_type": "client_credentials", "scope": f"{t.business}:read events:read events:subscribe"},
    )  # fmt: skip
    expect(r.status == 200, f"token endpoint gave {r.status}: {r.body[:200]!r}")
    body = r.json()
    expect(body.get("token_type", "").lower() == "bearer" and body.get("access_token"), f"no bearer token: {body}")
    t.token = body["access_token"]


@check("auth.bad-secret", "A wrong client secret gets no token")
def bad_secret(t: Target) -> None:
    r = request("POST", t.url("/o/token/"), headers=basic_auth(t.client_id, t.client_secret + "x"),
                form={"grant_type": "client_credentials"})  # fmt: skip
    expect(r.status in (400, 401), f"expected 401 (or 400 invalid_client), got {r.status}")


@check("auth.required", "A call without credentials is 401 with a problem document")
def unauthenticated(t: Target) -> None:
    r = request("GET", t.url(f"/api/v1/tenants/{t.tenant}/residents"), params={"kana": "ア", "purpose": "x"})
    expect_problem(r, 401)


@check("residents.search.purpose", "Searching residents without a stated purpose is 422, naming the field")
def search_needs_purpose(t: Target) -> None:
    r = t.api("GET", f"/tenants/{t.tenant}/residents", params={"kana": "ア"})
    expect_problem(r, 422)
    expect("purpose" in r.body.decode(), "the problem does not name the missing field 'purpose'")


@check("residents.search", "A search by kana prefix returns summaries with the standard fields")
def search(t: Target) -> None:
    for kana in "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ":
        r = t.api("GET", f"/tenants/{t.tenant}/residents", params={"kana": kana, "purpose": "conformance"})
        expect(r.status == 200, f"search gave {r.status}: {r.body[:200]!r}")
        results = r.json()
        expect(isinstance(results, list), "the search result is not a list")
        if results:
            missing = {"id", "family_name", "given_name", "family_name_kana", "given_name_kana", "birth_date"} - set(
                results[0]
            )
            expect(not missing, f"summary lacks {sorted(missing)}")
            return
    raise AssertionError("no resident found under any kana prefix; load sample residents first")


@check("residents.unknown-id", "An unknown resident id is 404 with a problem document")
def unknown_resident(t: Target) -> None:
    expect_problem(t.api("GET", f"/tenants/{t.tenant}/residents/987654321", params={"purpose": "conformance"}), 404)


@check("tenancy.other-tenant", "A municipality that did not choose the client answers 404, not 403")
def other_tenant(t: Target) -> None:
    r = t.api("GET", f"/tenants/{t.other_tenant}/residents", params={"kana": "ア", "purpose": "conformance"})
    expect_problem(r, 404)


@check("feed.resume", "The change feed pages with next_cursor and resumes without repeats")
def feed(t: Target) -> None:
    first = t.api("GET", f"/tenants/{t.tenant}/events", params={"business": t.business, "limit": 2})
    expect(first.status == 200, f"feed gave {first.status}: {first.body[:200]!r}")
    page = first.json()
    expect({"events", "next_cursor"} <= set(page), f"feed page lacks events/next_cursor: {sorted(page)}")
    second = t.api(
        "GET", f"/tenants/{t.tenant}/events", params={"business": t.business, "cursor": page["next_cursor"]}
    ).json()
    ids = [e["id"] for e in page["events"]] + [e["id"] for e in second["events"]]
    expect(len(ids) == len(set(ids)), "an event appeared twice across pages")


@check("feed.bad-cursor", "A malformed cursor is 400 with a problem document")
def bad_cursor(t: Target) -> None:
    r = t.api("GET", f"/tenants/{t.tenant}/events", params={"business": t.business, "cursor": "not-a-cursor"})
    expect_problem(r, 400)


@check("subscriptions.https-only", "A webhook subscription to a plain-HTTP URL is refused with 422")
def https_only(t: Target) -> None:
    body = {"business": t.business, "event_type": "residents.resident.changed", "url": "http://example.invalid/x"}
    expect_problem(t.api("POST", f"/tenants/{t.tenant}/subscriptions", json_body=body), 422)
