from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="portal-home"),
    path("callback/", views.callback, name="portal-callback"),
    path("preferences/", views.preferences, name="portal-preferences"),
    path("<str:code>/procedures/", views.procedure_list, name="portal-procedures"),
    path("<str:code>/certificate/", views.certificate, name="portal-certificate"),
    path("<str:code>/benefits/", views.benefit_list, name="portal-benefits"),
    path("<str:code>/benefits/<slug:benefit_code>/", views.benefit_apply, name="portal-benefit-apply"),
    path("<str:code>/procedures/<slug:slug>/start/", views.procedure_start, name="portal-procedure-start"),
    path("<str:code>/submissions/<int:submission_id>/", views.submission_page, name="portal-submission"),
    path("<str:code>/login/", views.login, name="portal-login"),
    path("<str:code>/logout/", views.logout, name="portal-logout"),
    path("<str:code>/", views.mypage, name="portal-mypage"),
]
