"""The supervisors' batch pages, under /staff/batch/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.job_list, name="batch-jobs"),
    path("runs/", views.run_log, name="batch-runs"),
    path("<str:job_name>/run/", views.run_now, name="batch-run-now"),
    path("<str:job_name>/schedules/", views.schedules, name="batch-schedules"),
    path("<str:job_name>/schedules/<int:schedule_id>/", views.schedules, name="batch-schedule"),
]
