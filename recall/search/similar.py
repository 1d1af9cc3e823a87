"""Similar resources by content: computed when a resource is indexed, read in one query.

A resource's key words (TF-IDF over its title, counted twice, and its cards, against the
document counts of the vocabulary) are searched for among the resources of its subject;
the best matches, with a bonus for the same topic, are stored as SimilarResource rows.
The matches learn of it too: it joins their lists where it ranks among their best.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from recall.lib.search_text import STOP_WORDS, words
from recall.library.models import Resource

from .backends import search_backend
from .models import SearchDocument, SearchTerm, SimilarResource

KEPT = 8  # stored per resource
SHOWN = 5
CANDIDATES = 30
KEY_TERMS = 12
SAME_TOPIC_BONUS = 0.5  # on scores normalised so that the best candidate scores 1


def key_terms(title: str, body: str, frequencies: dict[str, int], documents: int) -> list[str]:
    """The words that tell this resource apart: frequent in it, rare in the library."""
    counts = Counter(words(body)) + Counter(words(title)) + Counter(words(title))
    scored = {
        word: count * math.log((documents + 1) / (frequencies.get(word, 0) + 1))
        for word, count in counts.items()
        if word not in STOP_WORDS and len(word) > 2 and not word.isdigit()
    }
    return sorted(scored, key=lambda word: (-scored[word], word))[:KEY_TERMS]


def _rank(
    document: SearchDocument, frequencies: dict[str, int], total: int
) -> list[tuple[int, float]]:
    terms = key_terms(document.title, document.body, frequencies, total)
    if not terms:
        return []
    candidates = search_backend().more_like_this(
        terms, document.subject_id, document.resource_id, CANDIDATES
    )
    if not candidates:
        return []
    best = max(score for _, score in candidates) or 1.0
    topics = dict(
        SearchDocument.objects.filter(resource_id__in=[pk for pk, _ in candidates]).values_list(
            "resource_id", "topic_id"
        )
    )
    scored = [
        (pk, score / best + (SAME_TOPIC_BONUS if topics.get(pk) == document.topic_id else 0.0))
        for pk, score in candidates
    ]
    return sorted(scored, key=lambda item: (-item[1], item[0]))[:KEPT]


def similar_refresh(resource_ids: Iterable[int]) -> None:
    """Recompute the stored similar lists of these resources (callers hold a transaction)."""
    ids = list(resource_ids)
    SimilarResource.objects.filter(resource_id__in=ids).delete()
    documents = list(SearchDocument.objects.filter(resource_id__in=ids))
    # Resources no longer findable leave every list they were in.
    SimilarResource.objects.filter(
        other_id__in=set(ids) - {d.resource_id for d in documents}
    ).delete()
    if not documents:
        return
    vocabulary = {w for d in documents for w in words(f"{d.title} {d.body}")}
    frequencies = dict(
        SearchTerm.objects.filter(term__in=vocabulary).values_list("term", "documents")
    )
    total = SearchDocument.objects.count()
    for document in documents:
        ranked = _rank(document, frequencies, total)
        # Offers from resources earlier in this batch are replaced by the list computed now.
        SimilarResource.objects.filter(resource_id=document.resource_id).delete()
        SimilarResource.objects.bulk_create(
            SimilarResource(resource_id=document.resource_id, other_id=pk, score=score)
            for pk, score in ranked
        )
        for pk, score in ranked:
            _offer(pk, document.resource_id, score)


def _offer(resource_id: int, other_id: int, score: float) -> None:
    """Put other into resource's list if it ranks among its KEPT best."""
    SimilarResource.objects.update_or_create(
        resource_id=resource_id, other_id=other_id, defaults={"score": score}
    )
    beyond = SimilarResource.objects.filter(resource_id=resource_id).order_by("-score", "other_id")[
        KEPT:
    ]
    SimilarResource.objects.filter(pk__in=list(beyond.values_list("pk", flat=True))).delete()


def similar_resources(resource: Resource, limit: int = SHOWN) -> list[Resource]:
    """The most similar visible resources: by content first, then the same topic, then
    the same subject, newest first (the second query only when the first is short)."""
    found = list(
        Resource.objects.visible()
        .filter(similar_to_rows__resource=resource)
        .select_related("subject", "topic__subject")
        .order_by("-similar_to_rows__score", "pk")[:limit]
    )
    if len(found) < limit:
        more = Resource.objects.similar_to(resource).exclude(pk__in=[r.pk for r in found])
        found += list(more[: limit - len(found)])
    return found
