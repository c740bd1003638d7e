from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kiban.platform.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
