from django.db import migrations, models


def unlogged(apps, schema_editor):
    # Counts need no crash safety: on PostgreSQL their commits skip the WAL flush.
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("api", "RateCounter")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET UNLOGGED")


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("window_end", models.BigIntegerField()),
                ("count", models.PositiveIntegerField()),
            ],
        ),
        migrations.RunPython(unlogged, migrations.RunPython.noop, elidable=True),
    ]
