"""The conformance kit (標準準拠の確認): behavioural tests of the standard APIs, over HTTP only, so that it can
test any vendor's implementation. ``kiban conformance --base-url URL --tenant CODE --client-id … --client-secret …``
writes JUnit XML and an HTML report. It imports nothing from Django or from Kiban's implementation."""
