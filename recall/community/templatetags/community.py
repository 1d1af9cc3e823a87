"""The community parts of a resource page, each fetching what it shows (see sections.py)."""

from __future__ import annotations

from django import template

from recall.community import sections

register = template.Library()


@register.inclusion_tag("community/_comments.html", takes_context=True)
def comments_section(context, resource):
    return sections.comments_context(context["request"], resource)


@register.inclusion_tag("community/_resource_stats.html", takes_context=True)
def resource_stats(context, resource):
    return sections.stats_context(context["request"], resource)
