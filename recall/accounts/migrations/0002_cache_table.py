from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The database cache backs rate limits; `migrate` alone must leave a working site.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_moderators_group")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
