from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "recall.operations"
    verbose_name = "Operations"
