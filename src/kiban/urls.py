"""The composition root: the platform's shell with each business app's routes plugged in."""

from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from kiban.apps.benefits.api import router as benefits_router
from kiban.apps.child_allowance.api import router as child_allowance_router
from kiban.apps.residents import verify_views
from kiban.apps.residents.api import router as residents_router
from kiban.idp import urls as idp_urls
from kiban.platform.api.app import build_api
from kiban.platform.api.platform_api import router as platform_router
from kiban.platform.audit import views as audit_views
from kiban.platform.events.api import router as events_router
from kiban.platform.metering import views as metering_views
from kiban.platform.monitoring import views as monitoring_views
from kiban.platform.web import views as web_views

# Operators' admin site requires a verified second factor, like every staff page.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "Kiban プラットフォーム運用 (platform operations)"

api = build_api()
api.add_router("/", platform_router)
api.add_router("/", events_router)
api.add_router("/", residents_router)
api.add_router("/", child_allowance_router)
api.add_router("/", benefits_router)

urlpatterns = [
    path("healthz", monitoring_views.healthz, name="healthz"),
    path("readyz", monitoring_views.readyz, name="readyz"),
    path("metrics", monitoring_views.metrics, name="metrics"),
    path("login/", web_views.sign_in, name="sign-in"),
    path("logout/", web_views.sign_out, name="sign-out"),
    path("staff/", web_views.staff_home, name="staff-home"),
    path("staff/residents/", include("kiban.apps.residents.urls")),
    path("staff/portal/", include("kiban.portal.staff_urls")),
    # Public: anyone holding a certificate checks it here (the QR code on the paper points to it).
    path("verify/", verify_views.verify_certificate, name="certificate-verify"),
    path("verify/<str:code>/", verify_views.verify_certificate, name="certificate-verify-code"),
    path("staff/batch/", include("kiban.platform.batch.urls")),
    path("staff/audit/", audit_views.entry_list, name="audit-list"),
    path("staff/audit/<int:seq>/", audit_views.entry_detail, name="audit-detail"),
    path("ops/cost-allocation/", metering_views.cost_allocation, name="cost-allocation"),
    path("admin/", admin.site.urls),
    # OAuth 2.0 for machine clients and OpenID Connect for residents (kiban.idp.urls says what is mounted).
    path("o/", include((idp_urls.oauth_urlpatterns, "oauth2_provider"))),
    path("idp/", include(idp_urls.urlpatterns)),
    path("portal/", include("kiban.portal.urls")),
    path("api/v1/", api.urls),
]
