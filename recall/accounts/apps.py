from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "recall.accounts"
    label = "accounts"
    verbose_name = "Accounts"
