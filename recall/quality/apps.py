from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "recall.quality"
    label = "quality"
    verbose_name = "Quality checks"
