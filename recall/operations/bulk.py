"""PostgreSQL: a bulk write into an empty table, with some of its indexes built after.

A table that is empty when a rebuild starts takes its rows faster without the indexes
that each row would otherwise be added to: they are dropped and made again once the rows
are in, from their own definitions (one sorted build instead of inserting every key).
Only for an empty table: dropping an index or a constraint locks the table against reads
until the transaction ends, and an empty table has nothing to read (a foreign key's drop
also holds off writes to the table it references, the resources: a first build of a live
site's index makes saves wait for it). The caller holds a transaction, so an error undoes
the drops too. On other databases it does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# For the index builds only (SET LOCAL: the transaction's own setting). 256 MB builds the
# GIN index of 100,000 documents' words in 16 s; 1 GB saved another 2.
BUILD_MEMORY = "256MB"


@contextmanager
def built_after(
    table: str,
    *,
    gin: bool = False,
    indexes: bool = False,
    primary_key: bool = False,
    unique: bool = False,
    foreign_keys: bool = False,
) -> Iterator[bool]:
    """Around a bulk write into `table`: if it is empty, its GIN indexes (`gin`), all its
    indexes that no constraint owns (`indexes`), its primary key (`primary_key`), its
    unique constraints (`unique`) and its foreign keys (`foreign_keys`: checked once by
    one query when made again, instead of a lookup per row) are dropped first and made
    again after. Yields whether anything was (the rows then need not come in key order)."""
    if connection.vendor != "postgresql":
        yield False
        return
    dropped: list[tuple[str, str]] = []  # indexes
    constraints: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608 - our table
        if not cursor.fetchone()[0]:
            kinds = ["p"] * primary_key + ["u"] * unique + ["f"] * foreign_keys
            if kinds:
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = ANY(%s) ORDER BY conname",
                    [table, kinds],
                )
                constraints = cursor.fetchall()
            if gin or indexes:
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                    "current_schema() AND tablename = %s AND (%s OR indexdef LIKE "
                    "'%% USING gin %%') AND indexname NOT IN (SELECT conname FROM "
                    "pg_constraint WHERE conrelid = %s::regclass) ORDER BY indexname",
                    [table, indexes, table],
                )
                dropped = cursor.fetchall()
        if constraints:
            _run_pending_checks(cursor)  # a foreign key's table may not have any pending
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in dropped:
            cursor.execute(f'DROP INDEX "{name}"')
    yield bool(dropped or constraints)
    if not (dropped or constraints):
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
        _run_pending_checks(cursor)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _, sql in dropped:
            cursor.execute(sql)


def _run_pending_checks(cursor) -> None:
    """The transaction's deferred foreign-key checks, run now: neither an index nor a
    constraint can be made or dropped on a table with checks pending (the constraints
    stay deferred after, as Django makes them)."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
