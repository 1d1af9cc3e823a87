from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "recall.search"
    label = "search"
    verbose_name = "Search"
