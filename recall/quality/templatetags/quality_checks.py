"""{% open_findings resource as n %}: how many findings its author has still to look at."""

from __future__ import annotations

from django import template

from recall.library.models import Resource

from ..checking import check_resource

register = template.Library()


@register.simple_tag
def open_findings(resource: Resource) -> int:
    """Runs the whole check: use it only where the author is looking (never for readers)."""
    return len(check_resource(resource).findings)
