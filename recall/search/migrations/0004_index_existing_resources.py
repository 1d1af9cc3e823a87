"""Index the resources that existed before search did (historical models only)."""

from collections import Counter

from django.db import migrations
from django.db.models import Q

from recall.lib.search_text import markdown_plain_text, words


def index_existing(apps, schema_editor):
    Resource = apps.get_model("library", "Resource")
    Card = apps.get_model("library", "Card")
    SearchDocument = apps.get_model("search", "SearchDocument")
    SearchTerm = apps.get_model("search", "SearchTerm")
    visible = Resource.objects.filter(
        Q(status="published", is_hidden=False)
        & Q(topic__is_approved=True, subject__is_approved=True)
    )
    terms = Counter()
    for resource in visible.iterator():
        cards = Card.objects.filter(resource_id=resource.pk).order_by("position")
        body = "\n".join(
            part
            for card in cards
            for part in (card.heading, markdown_plain_text(card.body))
            if part
        )
        SearchDocument.objects.create(
            resource_id=resource.pk,
            title=resource.title,
            body=body,
            subject_id=resource.subject_id,
            topic_id=resource.topic_id,
            level=resource.level,
            kind=resource.kind,
            created_at=resource.created_at,
            facets=" ".join(
                [
                    f"s{resource.subject_id}",
                    f"t{resource.topic_id}",
                    "l" + (resource.level.replace("-", "") or "none"),
                    f"k{resource.kind}",
                ]
            ),
        )
        terms.update({w for w in words(f"{resource.title} {body}") if 2 <= len(w) <= 100})
    SearchTerm.objects.bulk_create(SearchTerm(term=t, documents=n) for t, n in terms.items())


class Migration(migrations.Migration):
    dependencies = [("search", "0003_searchterm"), ("library", "0002_publishing_moderation_revisions")]

    operations = [migrations.RunPython(index_existing, migrations.RunPython.noop)]
