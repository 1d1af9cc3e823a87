"""python manage.py rebuild_search_index"""

from django.core.management.base import BaseCommand

from recall.search.index import search_rebuild


class Command(BaseCommand):
    help = "Rebuild the search index from every resource (only visible ones are findable)."

    def handle(self, *args: object, **options: object) -> None:
        count = search_rebuild()
        self.stdout.write(f"Indexed {count} visible resource(s).")
