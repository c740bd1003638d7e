"""The demo provider's pages, and the OAuth 2.0 / OpenID Connect endpoints the composition root mounts at ``o/``."""

from django.urls import path, re_path
from oauth2_provider import views as oauth_views

from . import views

urlpatterns = [
    path("login/", views.sign_in, name="idp-sign-in"),
]

# Namespace "oauth2_provider" (django-oauth-toolkit's discovery document reverses these names). Only what Kiban
# uses is mounted: machine clients' token endpoints, and the OIDC endpoints of the demo provider. Clients are
# registered by operators (admin site), never by self-service, so the application-management views are not mounted.
oauth_urlpatterns = [
    path("token/", oauth_views.TokenView.as_view(), name="token"),
    path("revoke_token/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", oauth_views.IntrospectTokenView.as_view(), name="introspect"),
    path("authorize/", views.CitizenAuthorizationView.as_view(), name="authorize"),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        oauth_views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", oauth_views.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", oauth_views.UserInfoView.as_view(), name="user-info"),
]
