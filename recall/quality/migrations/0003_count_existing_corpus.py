"""Counted the words and pairs of the resources published before the counts were kept.

The counting now lives in 0005, which remakes the tables in their current form and
recounts every visible resource: it can't run against the tables as they were here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("quality", "0002_corpus_counts")]

    operations = []
