from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "recall.community"
    label = "community"
    verbose_name = "Community"
