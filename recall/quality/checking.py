"""Check a resource (saved, or as the editor holds it) and leave out what was ignored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from recall.lib.quality import Confidence, Finding, check_text
from recall.library.models import Resource

from .models import IgnoredFinding
from .vocabulary import vocabulary_for


@dataclass(frozen=True)
class ResourceCheck:
    findings: tuple[Finding, ...]  # open: not ignored
    ignored: tuple[Finding, ...]

    @property
    def high(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.confidence == Confidence.HIGH)


def ignored_fingerprints(resource: Resource | None) -> set[str]:
    if resource is None or resource.pk is None:
        return set()
    return set(
        IgnoredFinding.objects.filter(resource=resource).values_list("fingerprint", flat=True)
    )


def check_content(
    title: str,
    cards: Sequence[tuple[str, str]],
    resource: Resource | None = None,
    *,
    also_ignored: Iterable[str] = (),
) -> ResourceCheck:
    """Check a title and (heading, body) cards; ``resource`` is the saved one, if any."""
    findings = check_text(cards, vocabulary_for(resource, title, cards), title=title)
    ignored = ignored_fingerprints(resource) | set(also_ignored)
    return ResourceCheck(
        findings=tuple(f for f in findings if f.fingerprint not in ignored),
        ignored=tuple(f for f in findings if f.fingerprint in ignored),
    )


def check_resource(resource: Resource) -> ResourceCheck:
    """Check a saved resource's current title and cards."""
    cards = list(resource.cards.order_by("position").values_list("heading", "body"))
    return check_content(resource.title, cards, resource)
