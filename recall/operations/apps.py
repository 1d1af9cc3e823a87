from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "recall.operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from .page_cache import connect_signals

        connect_signals()
