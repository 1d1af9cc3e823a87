from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "recall.api"
    label = "api"
    verbose_name = "JSON API"
