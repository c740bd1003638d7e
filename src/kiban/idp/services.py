"""Creating demo identities (the demo and tests; a real provider has its own enrolment)."""

from datetime import date

from django.db import transaction

from kiban.platform.accounts.models import User

from .models import DemoIdentity


@transaction.atomic
def create_identity(
    username: str, password: str, *, family_name: str, given_name: str, birth_date: date, sex: str, address: str
) -> DemoIdentity:
    user = User(username=username, is_citizen=True)
    user.set_password(password)
    user.save()
    return DemoIdentity.objects.create(
        user=user, family_name=family_name, given_name=given_name, birth_date=birth_date, sex=sex, address=address
    )


def register_portal_client(client_id: str, client_secret: str, redirect_uri: str) -> object:
    """The portal as a confidential OIDC client of the demo provider (authorization code + PKCE, RS256)."""
    from oauth2_provider.models import Application

    app = Application.objects.filter(client_id=client_id).first()
    if app is None:
        app = Application(
            name="Kiban resident portal",
            client_id=client_id,
            client_secret=client_secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    app.redirect_uris = " ".join(sorted({*app.redirect_uris.split(), redirect_uri}))
    app.save()
    return app
