"""The portal as an OpenID Connect relying party (authorization code flow with PKCE, through Authlib).

The provider is whatever ``settings.KIBAN_PORTAL_OIDC`` names: the demo provider of this deployment (kiban.idp) or
a real one; nothing else changes.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.django_client import OAuth
from django.conf import settings

_clients: dict[tuple[str, str], Any] = {}


def client() -> Any:
    config = settings.KIBAN_PORTAL_OIDC
    key = (config["metadata_url"], config["client_id"])
    if key not in _clients:
        oauth = OAuth()
        oauth.register(
            "idp",
            client_id=config["client_id"],
            client_secret=config["client_secret"],
            server_metadata_url=config["metadata_url"],
            client_kwargs={"scope": config["scope"], "code_challenge_method": "S256"},
        )
        _clients[key] = oauth.create_client("idp")
    return _clients[key]
