from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "recall.library"
    label = "library"
    verbose_name = "Library"
