"""Full-text search over SearchDocument: SQLite FTS5 or PostgreSQL, one small interface.

`search_backend()` picks the backend of the default database. Both take a parsed query
(words already folded and corrected), filters, an offset and a limit, and return the
page's resource ids in relevance order with a highlighted snippet, plus the total.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from recall.lib.search_text import MARK_END, MARK_START, ParsedQuery, snippet_html

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
class Hit:
    resource_id: int
    title_html: str
    snippet_html: str


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    total: int


class SqliteBackend:
    """FTS5 with the porter stemmer, ranked by bm25 with titles weighted 10 to 1."""

    @staticmethod
    def match_expression(query: ParsedQuery) -> str:
        parts = [
            "(" + " OR ".join(f'"{word}"' for word in group) + ")" for group in query.term_groups
        ]
        parts += ['"' + " ".join(phrase) + '"' for phrase in query.phrases]
        # Words match titles and text only, never the facets column.
        return "{title body} : (" + " AND ".join(parts) + ")"

    def search(self, query: ParsedQuery, filters: Filters, offset: int, limit: int) -> Results:
        match = self.match_expression(query)
        facets = SearchDocument.facet_words(
            filters.subject_id, filters.topic_id, filters.level, filters.kind
        )
        if facets:
            match += " AND " + " AND ".join(f'facets:"{word}"' for word in facets)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH %s", [match])
            total = cursor.fetchone()[0]
            if not total:
                return Results([], 0)
            cursor.execute(
                "SELECT rowid, highlight(search_fts, 0, %s, %s), "
                "snippet(search_fts, 1, %s, %s, '…', 24) "
                "FROM search_fts WHERE search_fts MATCH %s ORDER BY rank LIMIT %s OFFSET %s",
                [MARK_START, MARK_END, MARK_START, MARK_END, match, limit, offset],
            )
            rows = cursor.fetchall()
        hits = [Hit(pk, snippet_html(title), snippet_html(body)) for pk, title, body in rows]
        return Results(hits, total)

    def more_like_this(
        self, terms: list[str], subject_id: int, exclude_id: int, limit: int
    ) -> list[tuple[int, float]]:
        """Resources of the subject sharing any of these words, best first, with a score."""
        words = " OR ".join(f'"{term}"' for term in terms)
        match = f'{{title body}} : ({words}) AND facets:"s{subject_id}"'
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid, -rank FROM search_fts WHERE search_fts MATCH %s AND rowid != %s "
                "ORDER BY rank LIMIT %s",
                [match, exclude_id, limit],
            )
            return [(pk, float(score)) for pk, score in cursor.fetchall()]


class PostgresBackend:
    """A stored, weighted tsvector with a GIN index; ts_rank; ts_headline."""

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

    def search(self, query: ParsedQuery, filters: Filters, offset: int, limit: int) -> Results:
        table = SearchDocument._meta.db_table
        where, params = filters.conditions("d.")
        clause = "".join(f" AND {condition}" for condition in where)
        tsquery, text = self.tsquery(query)
        options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=40, MinWords=15"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {table} d WHERE d.vector @@ {tsquery}" + clause,  # noqa: S608
                [*text, *params],
            )
            total = cursor.fetchone()[0]
            if not total:
                return Results([], 0)
            cursor.execute(
                f"""WITH q AS (SELECT {tsquery} AS query),
                page AS (
                    SELECT d.resource_id, d.title, d.body, ts_rank(d.vector, q.query) AS rank
                    FROM {table} d, q WHERE d.vector @@ q.query {clause}
                    ORDER BY rank DESC, d.created_at DESC LIMIT %s OFFSET %s
                )
                SELECT page.resource_id,
                    ts_headline('english', page.title, q.query, %s),
                    ts_headline('english', page.body, q.query, %s)
                FROM page, q ORDER BY page.rank DESC""",  # noqa: S608 - our table and columns
                [
                    *text,
                    *params,
                    limit,
                    offset,
                    options + ", HighlightAll=true",
                    options,
                ],
            )
            rows = cursor.fetchall()
        hits = [Hit(pk, snippet_html(title), snippet_html(body)) for pk, title, body in rows]
        return Results(hits, total)

    def more_like_this(
        self, terms: list[str], subject_id: int, exclude_id: int, limit: int
    ) -> list[tuple[int, float]]:
        """Resources of the subject sharing any of these words, best first, with a score."""
        table = SearchDocument._meta.db_table
        word = "plainto_tsquery('english', recall_unaccent(%s))"
        tsquery = "(" + " || ".join([word] * len(terms)) + ")"
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT d.resource_id, ts_rank(d.vector, q.query) AS rank
                FROM {table} d, (SELECT {tsquery} AS query) q
                WHERE d.vector @@ q.query AND d.subject_id = %s AND d.resource_id != %s
                ORDER BY rank DESC LIMIT %s""",  # noqa: S608 - our table and expressions
                [*terms, subject_id, exclude_id, limit],
            )
            return [(pk, float(score)) for pk, score in cursor.fetchall()]


def search_backend() -> SqliteBackend | PostgresBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise NotImplementedError(f"Search does not support {connection.vendor}.")
