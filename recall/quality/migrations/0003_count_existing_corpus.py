"""Count the words and pairs of the resources published before the counts were kept."""

from django.db import migrations
from django.db.models import Q


def count_existing(apps, schema_editor):
    from recall.quality.corpus import quality_rebuild

    Resource = apps.get_model("library", "Resource")
    visible = Resource.objects.filter(
        Q(status="published", is_hidden=False)
        & Q(topic__is_approved=True, subject__is_approved=True)
    )
    quality_rebuild(
        visible,
        card_model=apps.get_model("library", "Card"),
        document_model=apps.get_model("quality", "QualityDocument"),
    )


class Migration(migrations.Migration):
    dependencies = [("quality", "0002_corpus_counts")]

    operations = [migrations.RunPython(count_existing, migrations.RunPython.noop)]
