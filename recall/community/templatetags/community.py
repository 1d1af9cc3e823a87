"""The community parts of a resource page, each fetching what it shows."""

from __future__ import annotations

from django import template

from recall.community.models import Comment

register = template.Library()


@register.inclusion_tag("community/_comments.html", takes_context=True)
def comments_section(context, resource):
    comments = Comment.objects.filter(resource=resource).select_related("author")
    return {"resource": resource, "comments": comments, "request": context.get("request")}


@register.inclusion_tag("community/_resource_stats.html")
def resource_stats(resource):
    return {"comment_count": Comment.objects.filter(resource=resource).count()}
