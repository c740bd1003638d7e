"""Counter (窓口) pages of the resident registry, mounted by the composition root under ``staff/residents/``."""

from django.urls import path

from . import (
    bulk_views,
    certifier_views,
    character_views,
    guardianship_views,
    memo_views,
    personal_notice_views,
    provisional_views,
    remark_views,
    views,
    visibility_views,
)

urlpatterns = [
    path("", views.resident_search, name="resident-search"),
    path("<int:resident_id>/", views.resident_detail, name="resident-detail"),
    path("<int:resident_id>/certificate/", views.certificate_wizard, name="resident-certificate"),
    path("<int:resident_id>/support/", views.support_manage, name="resident-support"),
    path("<int:resident_id>/issued/", views.resident_issued, name="resident-issued"),
    path("<int:resident_id>/memos/", memo_views.resident_memos, name="resident-memos"),
    path("<int:resident_id>/remarks/", remark_views.resident_remarks, name="resident-remarks"),
    path("<int:resident_id>/guardianship/", guardianship_views.resident_guardianship, name="resident-guardianship"),
    path(
        "<int:resident_id>/personal-notice/",
        personal_notice_views.resident_personal_notice,
        name="resident-personal-notice",
    ),
    path("certificates/<slug:request_id>/", views.certificate_done, name="resident-certificate-done"),
    path("certificates/<slug:request_id>/pdf/", views.certificate_pdf, name="resident-certificate-pdf"),
    path("notices/", views.notice_list, name="resident-notices"),
    path("addresses/lookup/", views.address_lookup, name="resident-address-lookup"),
    path("characters/", character_views.character_lookup, name="resident-characters"),
    path("visibility/", visibility_views.visibility_manage, name="resident-visibility"),
    path("bulk-change/", bulk_views.bulk_change, name="resident-bulk-change"),
    path("support/", views.support_alerts, name="resident-support-alerts"),
    path("certifiers/", certifier_views.certifier_manage, name="resident-certifiers"),
    path("personal-notices/", personal_notice_views.personal_notices, name="resident-personal-notices"),
    path("provisional/", provisional_views.provisional_list, name="resident-provisional"),
    path("procedures/", views.procedure_menu, name="resident-procedures"),
    path("procedures/<slug:slug>/", views.procedure_wizard, name="resident-procedure"),
    path("procedures/<slug:slug>/done/<slug:request_id>/", views.procedure_done, name="resident-procedure-done"),
]
