"""The database's own full-text index over SearchDocument, one kind per backend."""

from django.db import migrations

SQLITE_FORWARD = [
    # External-content FTS5: the text lives once, in search_searchdocument; triggers keep
    # the index in step with every insert, update and delete (cascades included).
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, facets,
        content='search_searchdocument', content_rowid='resource_id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, body, facets)
        VALUES (new.resource_id, new.title, new.body, new.facets);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, facets)
        VALUES ('delete', old.resource_id, old.title, old.body, old.facets);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, facets)
        VALUES ('delete', old.resource_id, old.title, old.body, old.facets);
        INSERT INTO search_fts(rowid, title, body, facets)
        VALUES (new.resource_id, new.title, new.body, new.facets);
    END""",
    # A match in the title counts ten times one in the text.
    "INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0, 0.0)')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # No pg_trgm: misspellings are corrected against the index's vocabulary in Python on
    # both databases (recall.lib.query_spelling; see README, PostgreSQL).
    # unaccent() is only STABLE; a generated column needs an IMMUTABLE function.
    """CREATE OR REPLACE FUNCTION recall_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
    """ALTER TABLE search_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', recall_unaccent(title)), 'A') ||
        setweight(to_tsvector('english', recall_unaccent(body)), 'B')
    ) STORED""",
    "CREATE INDEX search_document_vector ON search_searchdocument USING GIN (vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector",
    "DROP FUNCTION IF EXISTS recall_unaccent(text)",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
