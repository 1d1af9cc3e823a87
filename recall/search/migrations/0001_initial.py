import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("library", "0002_publishing_moderation_revisions")]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "resource",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="library.resource",
                    ),
                ),
                ("title", models.TextField()),
                ("body", models.TextField()),
                ("subject_id", models.BigIntegerField(db_index=True)),
                ("topic_id", models.BigIntegerField(db_index=True)),
                ("level", models.CharField(blank=True, max_length=20)),
                ("kind", models.CharField(max_length=20)),
                ("created_at", models.DateTimeField()),
                ("facets", models.TextField(default="")),
            ],
        ),
    ]
