from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="portal-home"),
    path("callback/", views.callback, name="portal-callback"),
    path("<str:code>/login/", views.login, name="portal-login"),
    path("<str:code>/logout/", views.logout, name="portal-logout"),
    path("<str:code>/", views.mypage, name="portal-mypage"),
]
