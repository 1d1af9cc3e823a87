"""PostgreSQL: the title's words alone, as a small tsvector with its own GIN index, and
the document vector stored uncompressed.

Searches with many matches put title matches first without reading each match's whole
document vector (see backends.PostgresBackend), and ranking reads the vectors it does
rank three times faster or more when they need no decompressing (rows written before
this migration keep compressed vectors until `manage.py rebuild_search_index` or
`VACUUM FULL search_searchdocument`). SQLite's FTS5 table already has a title column;
nothing to do there.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "ALTER TABLE search_searchdocument ALTER COLUMN vector SET STORAGE EXTERNAL",
    """ALTER TABLE search_searchdocument ADD COLUMN title_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('english', recall_unaccent(title))
    ) STORED""",
    "CREATE INDEX search_document_title_vector ON search_searchdocument USING GIN (title_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_title_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS title_vector",
    "ALTER TABLE search_searchdocument ALTER COLUMN vector SET STORAGE EXTENDED",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0006_similar_terms")]

    operations = [migrations.RunPython(forward, backward)]
