"""python manage.py rebuild_quality_corpus"""

from django.core.management.base import BaseCommand

from recall.quality.corpus import quality_rebuild


class Command(BaseCommand):
    help = (
        "Recount the words and word pairs of every visible resource that the quality checks "
        "use (the writes keep them counted; rebuild_search_index recounts them too)."
    )

    def handle(self, *args: object, **options: object) -> None:
        count = quality_rebuild()
        self.stdout.write(f"Counted {count} visible resource(s).")
