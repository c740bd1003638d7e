"""The claims the demo provider puts in ID tokens and UserInfo, by scope (OpenID Connect Core 1.0 §5.4)."""

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class BasicFourValidator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "name": "profile",
        "family_name": "profile",
        "given_name": "profile",
        "birthdate": "profile",
        "gender": "profile",
        "address": "address",
    }

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        identity = getattr(request.user, "identity", None)
        return identity.claims() if identity is not None else {}
