from django.apps import AppConfig


class IdpConfig(AppConfig):
    name = "kiban.idp"
    label = "idp"
    verbose_name = "Demo identity provider (デジタル認証アプリの代替)"
