"""Full-text search over SearchDocument: SQLite FTS5 or PostgreSQL, one small interface.

`search_backend()` picks the backend of the default database. Both take a parsed query
(words already folded and corrected), filters, an offset and a limit, and return the
page's resource ids in relevance order, plus the total. The page's titles, snippets and
resources are loaded by recall.search.service, in one query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from recall.lib.search_text import ParsedQuery

from .models import SearchDocument


@dataclass(frozen=True)
class Filters:
    subject_id: int | None = None
    topic_id: int | None = None
    level: str = ""
    kind: str = ""

    def conditions(self, prefix: str = "") -> tuple[list[str], list]:
        sql, params = [], []
        for column, value in (
            ("subject_id", self.subject_id),
            ("topic_id", self.topic_id),
            ("level", self.level),
            ("kind", self.kind),
        ):
            if value not in (None, ""):
                sql.append(f"{prefix}{column} = %s")
                params.append(value)
        return sql, params


@dataclass(frozen=True)
class Results:
    ids: list[int]  # the page's resource ids, best first
    total: int
    exact: bool = True  # False: more than `total` match (counting stopped there)


# Counting every match visits every match (18,803 for one word at 100,000 resources): a
# search counts at most COUNTED_AT_MOST matches past the end of the page it shows, then
# says "more than", so each page knows whether a next one exists.
COUNTED_AT_MOST = 1000


def count_limit(offset: int, limit: int) -> int:
    """How many matches to count at most: one more than need be shown as a number."""
    return max(COUNTED_AT_MOST, offset + limit) + 1


def _total(counts: list[int], counted: int) -> tuple[int, bool]:
    """The total of parts counted up to `counted` in all, and whether it is exact."""
    if sum(counts) >= counted:
        return counted - 1, False
    return sum(counts), True


def _rest_count(total: int, in_titles: int, counted: int, ranked: int, count_rest) -> int:
    """How many matches are not in titles, as far as the page and the ranked bound need to
    know: by subtraction when the total is exact, else counted only if it is in doubt
    whether they exceed the bound."""
    if total < counted:
        return total - in_titles
    if counted - in_titles > ranked:
        return counted - in_titles  # at least these: enough to reach the page's end
    return count_rest()


# Ranking every match costs time in proportion to the matches (47,000 for a common word
# at 100,000 resources). Beyond a bound (ranked_at_most, per backend), the title matches
# come first, then the others; within each, the newest up to the bound are ranked and
# the rest follow newest first.


def _page(parts: list[tuple[int, Callable[[int, int], list[int]]]], offset: int, limit: int):
    """The ids from offset to offset + limit of several lists one after another, each
    given as (length, fetch(offset, limit))."""
    ids: list[int] = []
    for length, fetch in parts:
        if limit <= 0:
            break
        if offset < length:
            found = fetch(offset, min(limit, length - offset))
            ids += found
            limit -= len(found)
            offset = 0
        else:
            offset -= length
    return ids


class SqliteBackend:
    """FTS5 with the porter stemmer, ranked by bm25 with titles weighted 10 to 1."""

    ranked_at_most = 1000

    @staticmethod
    def match_expression(query: ParsedQuery, columns: str = "{title body}") -> str:
        parts = [
            "(" + " OR ".join(f'"{word}"' for word in group) + ")" for group in query.term_groups
        ]
        parts += ['"' + " ".join(phrase) + '"' for phrase in query.phrases]
        # Words match titles and text only, never the facets column.
        return columns + " : (" + " AND ".join(parts) + ")"

    @staticmethod
    def _rows(cursor, sql: str, params: list) -> list[int]:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]

    def _count(self, cursor, match: str, at_most: int) -> int:
        # FTS5 walks its matches in rowid order and stops at the LIMIT.
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH %s"
            " LIMIT %s)",
            [match, at_most],
        )
        return cursor.fetchone()[0]

    def _bounded(self, cursor, match: str, total: int):
        """The matches of one expression as (length, fetch): all ranked when few; else
        the newest self.ranked_at_most ranked, then the others newest first."""
        select = "SELECT rowid FROM search_fts WHERE search_fts MATCH %s"
        if total <= self.ranked_at_most:
            return [
                (
                    total,
                    lambda o, n: self._rows(
                        cursor, select + " ORDER BY rank LIMIT %s OFFSET %s", [match, n, o]
                    ),
                )
            ]
        # FTS5 walks its matches in rowid order and stops here: no match is scored.
        floor = self._rows(
            cursor,
            select + " ORDER BY rowid DESC LIMIT 1 OFFSET %s",
            [match, self.ranked_at_most - 1],
        )[0]
        return [
            (
                self.ranked_at_most,
                lambda o, n: self._rows(
                    cursor,
                    select + " AND rowid >= %s ORDER BY rank LIMIT %s OFFSET %s",
                    [match, floor, n, o],
                ),
            ),
            (
                total - self.ranked_at_most,
                lambda o, n: self._rows(
                    cursor,
                    select + " AND rowid < %s ORDER BY rowid DESC LIMIT %s OFFSET %s",
                    [match, floor, n, o],
                ),
            ),
        ]

    def search(self, query: ParsedQuery, filters: Filters, offset: int, limit: int) -> Results:
        facets = SearchDocument.facet_words(
            filters.subject_id, filters.topic_id, filters.level, filters.kind
        )
        facet_match = "".join(f' AND facets:"{word}"' for word in facets)
        match = self.match_expression(query) + facet_match
        counted = count_limit(offset, limit)
        with connection.cursor() as cursor:
            total = self._count(cursor, match, counted)
            if not total:
                return Results([], 0)
            if total <= self.ranked_at_most:
                parts = self._bounded(cursor, match, total)
                counts = [total]
            else:
                titles = self.match_expression(query, "{title}") + facet_match
                rest = f"({match}) NOT ({self.match_expression(query, '{title}')})"
                # A part's length matters only up to the end of the page, and whether it
                # exceeds the ranked bound.
                in_titles = self._count(cursor, titles, counted)
                counts = [
                    in_titles,
                    _rest_count(
                        total,
                        in_titles,
                        counted,
                        self.ranked_at_most,
                        lambda: self._count(cursor, rest, counted),
                    ),
                ]
                parts = [
                    *self._bounded(cursor, titles, counts[0]),
                    *self._bounded(cursor, rest, counts[1]),
                ]
            ids = _page(parts, offset, limit)
        return Results(ids, *_total(counts, counted))


class PostgresBackend:
    """A stored, weighted tsvector with a GIN index (and one of the title alone); ts_rank."""

    @staticmethod
    def tsquery(query: ParsedQuery) -> tuple[str, list[str]]:
        """A tsquery expression: every group AND-ed, a group's words OR-ed, phrases kept."""
        word = "plainto_tsquery('english', recall_unaccent(%s))"
        parts, params = [], []
        for group in query.term_groups:
            parts.append("(" + " || ".join([word] * len(group)) + ")")
            params.extend(group)
        for phrase in query.phrases:
            parts.append("phraseto_tsquery('english', recall_unaccent(%s))")
            params.append(" ".join(phrase))
        return "(" + " && ".join(parts) + ")", params

    # Ranking reads each ranked match's whole document vector out of TOAST storage (kept
    # uncompressed for this, see migration 0007): fewer are ranked than on SQLite.
    ranked_at_most = 300
    newest = "created_at DESC, resource_id DESC"

    @staticmethod
    def _rows(cursor, sql: str, params: list) -> list:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]

    def _bounded(self, cursor, matches: str, params: list, total: int, vector: str):
        """The matches as (length, fetch): all ranked by ts_rank over `vector` when few;
        else the newest ranked_at_most ranked, then the others newest first."""
        bound = min(total, self.ranked_at_most)
        ranked = f"""WITH c AS MATERIALIZED (
                SELECT d.resource_id, d.created_at, d.{vector} AS vector, q.query {matches}
                ORDER BY {self.newest} LIMIT %s)
            SELECT resource_id FROM c ORDER BY ts_rank(vector, query) DESC, {self.newest}
            LIMIT %s OFFSET %s"""  # noqa: S608 - our table and expressions
        rest = f"SELECT d.resource_id {matches} ORDER BY {self.newest} LIMIT %s OFFSET %s"
        return [
            (bound, lambda o, n: self._rows(cursor, ranked, [*params, bound, n, o])),
            (total - bound, lambda o, n: self._rows(cursor, rest, [*params, n, bound + o])),
        ]

    def search(self, query: ParsedQuery, filters: Filters, offset: int, limit: int) -> Results:
        table = SearchDocument._meta.db_table
        where, params = filters.conditions("d.")
        tsquery, text = self.tsquery(query)
        matches = (
            f"FROM {table} d, (SELECT {tsquery} AS query) q WHERE d.vector @@ q.query"  # noqa: S608
            + "".join(f" AND {condition}" for condition in where)
        )
        params = [*text, *params]
        counted = count_limit(offset, limit)

        def count(matching: str) -> int:
            # Given the LIMIT, the planner would scan the table and stop early, but testing
            # each row reads its whole vector (5,000 rows read to find 1,000 matches of a
            # word: 100 ms at 100,000 resources). The CTE is planned for all its rows (the
            # GIN index) and read only up to the LIMIT (4 ms).
            cursor.execute(
                f"WITH m AS MATERIALIZED (SELECT 1 {matching})"  # noqa: S608 - ours
                " SELECT count(*) FROM (SELECT 1 FROM m LIMIT %s) n",
                [*params, counted],
            )
            return cursor.fetchone()[0]

        with connection.cursor() as cursor:
            total = count(matches)
            if not total:
                return Results([], 0)
            if total <= self.ranked_at_most:
                parts = self._bounded(cursor, matches, params, total, "vector")
                counts = [total]
            else:
                titles = matches + " AND d.title_vector @@ q.query"
                rest = matches + " AND NOT d.title_vector @@ q.query"
                in_titles = count(titles)
                counts = [
                    in_titles,
                    _rest_count(
                        total, in_titles, counted, self.ranked_at_most, lambda: count(rest)
                    ),
                ]
                parts = [
                    *self._bounded(cursor, titles, params, counts[0], "title_vector"),
                    *self._bounded(cursor, rest, params, counts[1], "vector"),
                ]
            ids = _page(parts, offset, limit)
        return Results(ids, *_total(counts, counted))


def search_backend() -> SqliteBackend | PostgresBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise NotImplementedError(f"Search does not support {connection.vendor}.")
