"""The bulk rebuild stores exactly what indexing each resource as it is saved stores."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from recall.community.actions import resource_set_hidden
from recall.lib.resource_text import ParsedCard, ParsedResource, parse_resource_text
from recall.lib.search_text import parse_query
from recall.library.actions import resource_import
from recall.search.backends import Filters, search_backend
from recall.search.index import COLUMNS, search_rebuild
from recall.search.models import SearchDocument, SearchTerm, SimilarResource, SimilarTerm
from recall.search.similar import similar_refresh

pytestmark = pytest.mark.django_db


def add(title, body, subject="History", topic="The Cold War", heading="", **fields):
    parsed = ParsedResource(title, subject, topic, (ParsedCard(heading, body),), **fields)
    return resource_import(parsed, default_author="recall").resource


def snapshot() -> dict:
    documents = list(SearchDocument.objects.order_by("resource_id").values(*COLUMNS))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Raises unless the FTS5 index holds exactly the words of its content table.
            cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
            cursor.execute("SELECT rowid, title, body, facets FROM search_fts ORDER BY rowid")
        else:
            cursor.execute(
                "SELECT resource_id, vector::text FROM search_searchdocument ORDER BY resource_id"
            )
        full_text = cursor.fetchall()
    return {
        "documents": documents,
        "full text": full_text,
        "terms": dict(SearchTerm.objects.values_list("term", "documents")),
        "similar": sorted(SimilarResource.objects.values_list("resource_id", "other_id", "score")),
    }


def full_text_machinery() -> list:
    """SQLite's triggers or PostgreSQL's GIN indexes that keep the full text searchable."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexdef LIKE '%% USING gin %%'",
                ["search_searchdocument"],
            )
        found = sorted(cursor.fetchall())
    assert len(found) == (3 if connection.vendor == "sqlite" else 2), found
    return found


def foreign_keys() -> list:
    """The search tables' foreign keys, on PostgreSQL."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text LIKE 'search_%%'"
            " ORDER BY 1, 2"
        )
        found = cursor.fetchall()
    assert len(found) == 4, found
    return found


@pytest.fixture
def saved_one_by_one(reference_text, moderator):
    resource_import(parse_resource_text(reference_text), default_author="recall")
    add("The Cuban Missile Crisis", "- Khrushchev placed missiles on Cuba.\n- A blockade.")
    add("Kennedy and Cuba", "- Kennedy ordered a naval blockade of Cuba.", level="gcse")
    add("Café society", "Writers met in a **café** in Paris.", subject="French", topic="Culture")
    add("Berlin", "- The wall was built in 1961.\n- Crisis in Berlin.", heading="The wall")
    add("The Berlin Airlift", "- Planes supplied Berlin.", level="a-level")
    hidden = add("Missiles again", "- Missiles and a blockade.")
    resource_set_hidden(moderator, hidden, True)
    add("Cells", "| part | role |\n| --- | --- |\n| nucleus | DNA |", subject="Biology")
    add("Mitochondria", "- Mitochondria release energy in cells.", subject="Biology")


def test_the_bulk_rebuild_stores_what_saving_each_resource_stores(saved_one_by_one):
    with transaction.atomic():
        # Lists computed on save depend on the order of saving; all at once they don't.
        similar_refresh(SearchDocument.objects.values_list("resource_id", flat=True))
    saved = snapshot()
    assert len(saved["documents"]) == 8  # of 9: the hidden one is not findable
    assert saved["similar"] and saved["terms"]["blockade"] == 2

    search_rebuild(batch=3)

    assert snapshot() == saved


def test_a_rebuild_twice_changes_nothing(saved_one_by_one):
    search_rebuild()
    first = snapshot()

    search_rebuild(batch=4)

    assert snapshot() == first


def test_after_a_rebuild_each_save_still_reaches_the_full_text_index(saved_one_by_one):
    before = full_text_machinery()
    search_rebuild()
    # The rebuild writes the full-text index in one go, without its triggers (SQLite) or,
    # when it starts from no documents, its GIN indexes (PostgreSQL) meanwhile.
    assert full_text_machinery() == before
    sputnik = add("Sputnik", "- The first satellite in orbit.")
    snapshot()  # the FTS5 integrity check fails on a document the index missed
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH 'satellite'")
        else:
            cursor.execute(
                "SELECT resource_id FROM search_searchdocument "
                "WHERE vector @@ plainto_tsquery('english', 'satellite')"
            )
        assert cursor.fetchall() == [(sputnik.pk,)]


def test_a_first_build_of_the_index_stores_what_saving_each_resource_stores(saved_one_by_one):
    with transaction.atomic():
        similar_refresh(SearchDocument.objects.values_list("resource_id", flat=True))
    saved = snapshot()
    before = full_text_machinery()
    found = search_backend().search(parse_query("blockade"), Filters(), 0, 10).ids
    assert len(found) == 2
    keys = foreign_keys()
    # As a new database has none yet (PostgreSQL then makes indexes and keys after).
    for model in (SearchDocument, SimilarResource, SimilarTerm):
        model.objects.all().delete()

    search_rebuild()

    assert full_text_machinery() == before
    assert foreign_keys() == keys
    assert snapshot() == saved
    assert search_backend().search(parse_query("blockade"), Filters(), 0, 10).ids == found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgresql_stores_the_text_with_lz4_and_the_vector_uncompressed():
    from importlib import import_module

    has_lz4 = import_module("recall.search.migrations.0008_body_lz4").HAS_LZ4
    with connection.cursor() as cursor:
        cursor.execute(has_lz4)
        expected = "l" if cursor.fetchone()[0] else ""
        cursor.execute(
            "SELECT attname, attcompression, attstorage FROM pg_attribute "
            "WHERE attrelid = 'search_searchdocument'::regclass AND attname IN ('body', 'vector')"
            " ORDER BY attname"
        )
        assert cursor.fetchall() == [("body", expected, "x"), ("vector", "", "e")]
