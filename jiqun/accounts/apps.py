from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jiqun.accounts"
    label = "accounts"
    verbose_name = "账户"
