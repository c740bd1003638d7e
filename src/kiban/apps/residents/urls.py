"""Counter (窓口) pages of the resident registry, mounted by the composition root under ``staff/residents/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.resident_search, name="resident-search"),
    path("<int:resident_id>/", views.resident_detail, name="resident-detail"),
]
