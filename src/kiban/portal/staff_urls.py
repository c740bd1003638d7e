"""Back-office pages of online procedures, mounted by the composition root under ``staff/portal/``."""

from django.urls import path

from . import staff_views

urlpatterns = [
    path("", staff_views.queue, name="portal-staff-queue"),
    path("<int:submission_id>/", staff_views.detail, name="portal-staff-detail"),
    path("<int:submission_id>/<str:action>/", staff_views.decide, name="portal-staff-decide"),
    path("assist/<slug:slug>/<int:resident_id>/", staff_views.assist, name="portal-staff-assist"),
]
