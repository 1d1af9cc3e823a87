"""built_after: a bulk write into an empty PostgreSQL table, its indexes built after."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from recall.operations.bulk import built_after
from recall.quality.models import QualityPair
from recall.search.models import SearchDocument, SimilarResource, SimilarTerm

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")

PAIRS = QualityPair._meta.db_table
DOCUMENTS = SearchDocument._meta.db_table


def indexes(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", [table]
        )
        return cursor.fetchall()


def constraints(table: str, kind: str) -> list[tuple[str, str]]:
    """The table's constraints of one kind ("p" primary key, "f" foreign keys)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = %s ORDER BY 1",
            [table, kind],
        )
        return cursor.fetchall()


def primary_key(table: str) -> list[tuple[str, str]]:
    return constraints(table, "p")


def foreign_keys(table: str) -> list[tuple[str, str]]:
    return constraints(table, "f")


@on_postgres
def test_an_empty_tables_primary_key_is_built_after_the_rows():
    key, before = primary_key(PAIRS), indexes(PAIRS)
    assert key and before

    with built_after(PAIRS, primary_key=True) as bare:
        assert bare
        assert primary_key(PAIRS) == [] and indexes(PAIRS) == []
        QualityPair.objects.bulk_create([QualityPair(pair=k, documents=1) for k in (9, 3, 5)])

    assert primary_key(PAIRS) == key and indexes(PAIRS) == before
    with pytest.raises(Exception, match="duplicate key"):  # the key holds again
        QualityPair.objects.create(pair=3, documents=2)


@on_postgres
def test_an_empty_tables_gin_indexes_are_built_after_and_the_others_kept():
    before = indexes(DOCUMENTS)
    gin = [(name, sql) for name, sql in before if " USING gin " in sql]
    assert len(gin) == 2

    with built_after(DOCUMENTS, gin=True) as bare:
        assert bare
        assert indexes(DOCUMENTS) == [item for item in before if item not in gin]

    assert indexes(DOCUMENTS) == before


@on_postgres
def test_an_empty_tables_foreign_keys_are_checked_once_after_the_rows():
    table = SimilarTerm._meta.db_table
    before = foreign_keys(table)
    assert before

    with pytest.raises(IntegrityError, match="foreign key"), transaction.atomic():
        with built_after(table, foreign_keys=True) as bare:
            assert bare and foreign_keys(table) == []
            SimilarTerm.objects.create(
                resource_id=987654, term="orphan", weight=1.0, subject_id=1, topic_id=1
            )  # no such resource: found when the key is made again

    assert foreign_keys(table) == before


@on_postgres
def test_an_empty_tables_indexes_and_unique_constraints_are_made_after_the_rows():
    table = SimilarResource._meta.db_table
    before, key = indexes(table), primary_key(table)
    assert len(before) == 5  # the key's, the unique pair's and three others

    with built_after(table, indexes=True, unique=True) as bare:
        assert bare and [name for name, _ in indexes(table)] == [key[0][0]]
        assert primary_key(table) == key

    assert indexes(table) == before


@on_postgres
def test_a_table_with_rows_keeps_its_indexes():
    QualityPair.objects.create(pair=1, documents=1)
    before = indexes(PAIRS)

    with built_after(PAIRS, primary_key=True) as bare:
        assert not bare
        assert indexes(PAIRS) == before


@on_postgres
def test_an_error_inside_undoes_the_drops():
    before = indexes(PAIRS)
    with pytest.raises(RuntimeError), transaction.atomic():
        with built_after(PAIRS, primary_key=True):
            raise RuntimeError("the write failed")

    assert indexes(PAIRS) == before


@pytest.mark.skipif(connection.vendor == "postgresql", reason="tested above there")
def test_elsewhere_nothing_is_dropped():
    with built_after(PAIRS, primary_key=True) as bare:
        assert bare is False
