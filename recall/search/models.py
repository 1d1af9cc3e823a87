"""The search index's documents: one row per visible resource, in plain text.

The database's own full-text index is built over this table (see the migrations): an FTS5
table kept in sync by triggers on SQLite, a generated tsvector column with a GIN index on
PostgreSQL. A resource that is not visible (draft, hidden, awaiting approval) has no row.
"""

from __future__ import annotations

from django.db import models

from recall.library.models import Resource


class SearchDocument(models.Model):
    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.TextField()
    body = models.TextField()  # every card's heading and text, without Markdown
    # Copies of the resource's filter fields, so that filters need no join.
    subject_id = models.BigIntegerField(db_index=True)
    topic_id = models.BigIntegerField(db_index=True)
    level = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=20)
    created_at = models.DateTimeField()
    # The filter fields again as words ("s3 t41 lgcse knotes"): SQLite filters inside the
    # FTS5 match, where it is fast, instead of checking each match's row.
    facets = models.TextField(default="")

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def facet_words(subject_id=None, topic_id=None, level="", kind="") -> list[str]:
        words = []
        if subject_id is not None:
            words.append(f"s{subject_id}")
        if topic_id is not None:
            words.append(f"t{topic_id}")
        if level:
            words.append("l" + level.replace("-", ""))
        if kind:
            words.append(f"k{kind}")
        return words


class SearchTerm(models.Model):
    """A word of the index and how many findable resources hold it: the vocabulary that
    misspelled query words are corrected against."""

    term = models.CharField(max_length=100, primary_key=True)
    documents = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term} ({self.documents})"


class SimilarResource(models.Model):
    """A resource's most similar others by content, computed when it is indexed."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="similar_rows")
    other = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="similar_to_rows")
    score = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "other"], name="similar_unique_pair"),
        ]
        indexes = [models.Index(fields=["resource", "-score"], name="similar_by_score")]

    def __str__(self) -> str:
        return f"{self.resource_id} ~ {self.other_id} ({self.score:.2f})"


class SimilarTerm(models.Model):
    """One of a resource's key words (TF-IDF, see similar.py) with its weight in the
    resource's unit-length key-word vector: what similar lists are computed from."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=100)
    weight = models.FloatField()
    # Copies of the resource's, so that finding a subject's resources by word needs no join.
    subject_id = models.BigIntegerField()
    topic_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["subject_id", "term"], name="similar_term_lookup")]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.term} ({self.weight:.2f})"
