"""Words numbered, pairs keyed by one integer of their two words' numbers, each resource's
terms packed: the tables remade in that form and recounted from the visible resources
(the same counts as the old rows held: they are derived from the resources, and a
rebuild counts what the writes kept, tests/test_corpus.py)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

import recall.quality.models


def count_existing(apps, schema_editor):
    from recall.quality.corpus import quality_rebuild

    Resource = apps.get_model("library", "Resource")
    visible = Resource.objects.filter(
        Q(status="published", is_hidden=False)
        & Q(topic__is_approved=True, subject__is_approved=True)
    )
    if visible.exists():  # nothing to count in a new database
        quality_rebuild(
            visible,
            card_model=apps.get_model("library", "Card"),
            document_model=apps.get_model("quality", "QualityDocument"),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0003_list_indexes_newest_first"),
        ("quality", "0004_pair_second_first_index"),
    ]

    operations = [
        migrations.DeleteModel(name="QualityPair"),
        migrations.DeleteModel(name="QualityWord"),
        migrations.DeleteModel(name="QualityDocument"),
        migrations.CreateModel(
            name="QualityDocument",
            fields=[
                (
                    "resource",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="library.resource",
                    ),
                ),
                ("words", models.BinaryField(default=b"")),
                ("pairs", models.BinaryField(default=b"")),
            ],
        ),
        migrations.CreateModel(
            name="QualityWord",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("word", models.CharField(max_length=100, unique=True)),
                ("documents", models.IntegerField()),
                ("length", models.PositiveSmallIntegerField()),
                ("english", models.BooleanField()),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["english", "length", "documents"], name="qualityword_candidates"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="QualityPair",
            fields=[
                (
                    "pair",
                    recall.quality.models.RowidField(primary_key=True, serialize=False),
                ),
                ("documents", models.IntegerField()),
            ],
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
