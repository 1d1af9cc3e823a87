"""What the community parts of a resource page show: the comments section and the
statistics in the resource information. The template tags render them inside the page;
htmx responses render the same templates alone (fragments serve twice).

Each section costs a fixed number of queries, however many comments and ratings there are.
"""

from __future__ import annotations

import functools

from django import forms
from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Avg, Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from recall.accounts.roles import (
    MODERATORS_GROUP,
    is_moderator,
    moderator_unknown,
    remember_moderator_flag,
)
from recall.library.models import Resource

from .forms import CommentEditForm, CommentForm, RatingForm
from .models import MAX_STARS, Comment, Rating

NEW_COMMENT_AUTO_ID = "comment-%s"  # the form under the comments
RATING_AUTO_ID = "rating-%s"


def reply_auto_id(parent_id: object) -> str:
    return f"reply-{parent_id}-%s"


def edit_auto_id(comment_id: object) -> str:
    return f"edit-{comment_id}-%s"


def comment_auto_id(parent_id: object) -> str:
    """The ids a posted comment form had on the page, so that its errors show in place."""
    raw = str(parent_id or "")
    return reply_auto_id(raw) if raw.isascii() and raw.isdigit() else NEW_COMMENT_AUTO_ID


def can_comment(user, resource: Resource) -> bool:
    return user.is_authenticated and user.is_active and resource.is_visible


def can_rate(user, resource: Resource) -> bool:
    return can_comment(user, resource) and resource.author_id != user.pk


def _in_place(bound: forms.Form | None, form_class, auto_id: str, **initial) -> forms.Form:
    """The failed form if it was this one (same ids), else a fresh one."""
    if bound is not None and bound.auto_id == auto_id:
        return bound
    return form_class(initial=initial, auto_id=auto_id)


def comments_context(
    request: HttpRequest,
    resource: Resource,
    *,
    bound_form: forms.Form | None = None,
    notice: str = "",
) -> dict:
    """The threads this reader sees, with a form for each thing they may do.

    bound_form is a posted form that failed: it is shown in its place, known by its ids
    ("comment-…", "reply-<id>-…" or "edit-<id>-…"), with its errors and the text as typed.
    """
    user = request.user
    comments = getattr(resource, "reader_comments", None)  # see read_reader_parts()
    if comments is None:
        comments = visible_comments(user, resource)
    commenting = can_comment(user, resource)
    threads: dict[int, Comment] = {}
    placed = bound_form is None
    for comment in comments:
        comment.resource = resource  # already loaded: no query per comment
        comment.thread_replies = []
        comment.user_can_edit = comment.can_edit(user)
        comment.user_can_delete = comment.can_delete(user)
        comment.user_can_report = user.is_authenticated and comment.author_id != user.pk
        comment.by_resource_author = comment.author_id == resource.author_id
        if comment.user_can_edit:
            comment.edit_form = _in_place(
                bound_form, CommentEditForm, edit_auto_id(comment.pk), body=comment.body
            )
            placed = placed or comment.edit_form is bound_form
        if comment.parent_id is None:
            threads[comment.pk] = comment
            if commenting and not comment.is_hidden:
                comment.reply_form = _in_place(
                    bound_form, CommentForm, reply_auto_id(comment.pk), parent=comment.pk
                )
                placed = placed or comment.reply_form is bound_form
        elif comment.parent_id in threads:  # replies come after their comment
            threads[comment.parent_id].thread_replies.append(comment)
    new_form = None
    if commenting:
        new_form = _in_place(bound_form, CommentForm, NEW_COMMENT_AUTO_ID)
        placed = placed or new_form is bound_form
    if not placed:
        # The comment it was for has gone (deleted or hidden meanwhile): say why instead.
        notice = " ".join(error for errors in bound_form.errors.values() for error in errors)
    return {
        "resource": resource,
        "request": request,
        "user": user,
        "is_moderator": is_moderator(user),
        "threads": list(threads.values()),
        "can_comment": commenting,
        "new_form": new_form,
        "notice": notice,
        "next": f"{resource.get_absolute_url()}#comments",
    }


def visible_comments(user, resource: Resource) -> list[Comment]:
    return list(Comment.objects.filter(resource=resource).visible_to(user).select_related("author"))


def read_reader_parts(user, resource: Resource) -> None:
    """What is this logged-in reader's own on a resource whose shared statistics (as an
    anonymous reader sees them) are known: their rating and whether they moderate (one
    query), then the comments they see (one query, none when the resource has no comment),
    whose number replaces the shared comment count; the comments section shows them
    without reading them again."""
    # Without building moderator_annotation()'s Exists (a quarter of a millisecond).
    ask_role = moderator_unknown(user)
    alias = router.db_for_read(Rating) or "default"
    params = [resource.pk, user.pk] + ([user.pk, MODERATORS_GROUP] if ask_role else [])
    with connections[alias].cursor() as cursor:
        cursor.execute(_own_part_sql(alias, ask_role), params)
        own_stars, *role = cursor.fetchone()
    if ask_role:
        remember_moderator_flag(user, bool(role[0]))
    resource.community_own_stars = own_stars
    if getattr(resource, _STATS_PREFIX + "comment_total", None) == 0:
        resource.reader_comments = []  # none at all, hidden or not
    else:
        resource.reader_comments = visible_comments(user, resource)
    resource.community_comment_count = len(resource.reader_comments)


@functools.cache
def _own_part_sql(alias: str, ask_role: bool) -> str:
    """read_reader_parts()'s query, written out: the ORM took a millisecond of CPU to build
    and compile it on every logged-in resource page, the query itself 20 microseconds.
    The reader's rating, and (ask_role) whether they are in the moderators group, as
    roles.moderator_annotation() asks."""
    q = connections[alias].ops.quote_name
    rating, member = Rating._meta, get_user_model().groups.through._meta
    group = member.get_field("group").related_model._meta

    def column(meta, field: str) -> str:
        return f"{q(meta.db_table)}.{q(meta.get_field(field).column)}"

    # Names from the models' metadata, values as parameters (S608: no input in the text).
    where = f"{column(rating, 'resource')} = %s AND {column(rating, 'user')} = %s"
    stars = f"SELECT {column(rating, 'stars')} FROM {q(rating.db_table)} WHERE {where} LIMIT 1"  # noqa: S608
    sql = f"SELECT ({stars})"
    if ask_role:
        joined = f"{q(member.db_table)} INNER JOIN {q(group.db_table)}"
        on = f"{q(group.db_table)}.{q(group.pk.column)} = {column(member, 'group')}"
        where = f"{column(member, 'user')} = %s AND {column(group, 'name')} = %s"
        sql += f", EXISTS (SELECT 1 FROM {joined} ON {on} WHERE {where})"  # noqa: S608
    return sql


def _count(queryset) -> Coalesce:
    counted = queryset.order_by().values("resource").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


_STATS_PREFIX = "community_"
_STATS_NAMES = ("comment_count", "rating_count", "rating_average")


def stats_annotations(user) -> dict:
    """The statistics as annotations on a Resource query: comment count (what this reader
    sees), rating average and count, and this reader's own rating. A page that fetches
    its resource anyway adds them to that query (resource_stats then reads them back)."""
    ratings = Rating.objects.filter(resource=OuterRef("pk"))
    comments = Comment.objects.filter(resource=OuterRef("pk"))
    annotations = {}
    if user.is_authenticated and getattr(user, "_recall_is_moderator", None) is None:
        # Not known yet (the same query may be asking, roles.moderator_annotation): count
        # both ways rather than ask first.
        annotations["comment_count_moderator"] = _count(comments)
        comments = comments.visible_to(user, moderator=False)
    else:
        if not user.is_authenticated:
            # Every comment, hidden ones too: on the row every reader shares
            # (library.views._public_resource_row), 0 spares read_reader_parts a query.
            annotations["comment_total"] = _count(comments)
        comments = comments.visible_to(user)
    annotations |= {
        "comment_count": _count(comments),
        "rating_count": _count(ratings),
        "rating_average": Subquery(
            ratings.order_by().values("resource").annotate(a=Avg("stars")).values("a")
        ),
    }
    if user.is_authenticated:
        annotations["own_stars"] = Subquery(ratings.filter(user=user).values("stars")[:1])
    return {_STATS_PREFIX + name: expression for name, expression in annotations.items()}


def resource_stats(user, resource: Resource) -> dict:
    """Comment count (what this reader sees), rating average and count, and this
    reader's own rating: one query, or none when the resource came with
    stats_annotations(user)."""
    # The names stats_annotations(user) gives, without building its subqueries (a
    # millisecond of CPU on every resource page).
    names = [_STATS_PREFIX + name for name in _STATS_NAMES]
    if user.is_authenticated:
        names.append(_STATS_PREFIX + "own_stars")
    if all(hasattr(resource, name) for name in names):
        found = {name: getattr(resource, name) for name in names}
        if is_moderator(user) and hasattr(resource, _STATS_PREFIX + "comment_count_moderator"):
            found[_STATS_PREFIX + "comment_count"] = resource.community_comment_count_moderator
    else:
        annotations = stats_annotations(user)
        found = (
            Resource.objects.filter(pk=resource.pk)
            .annotate(**annotations)
            .values(*annotations)
            .get()
        )
    stats = {name.removeprefix(_STATS_PREFIX): value for name, value in found.items()}
    if "comment_count_moderator" in stats:
        moderated = stats.pop("comment_count_moderator")
        if is_moderator(user):
            stats["comment_count"] = moderated
    stats.setdefault("own_stars", None)
    average = stats["rating_average"] or 0
    filled = int(average + 0.5)  # half up, unlike round()
    stats["stars_text"] = "★" * filled + "☆" * (MAX_STARS - filled)
    return stats


def stats_context(
    request: HttpRequest,
    resource: Resource,
    *,
    rating_form: forms.Form | None = None,
    notice: str = "",
    oob: bool = False,
) -> dict:
    """The <dt>/<dd> pairs in the resource information; oob marks the pieces an htmx
    rating response swaps in place."""
    user = request.user
    stats = resource_stats(user, resource)
    rating = can_rate(user, resource)
    if rating and rating_form is None:
        initial = {"stars": stats["own_stars"]} if stats["own_stars"] else {}
        rating_form = RatingForm(initial=initial, auto_id=RATING_AUTO_ID)
    return {
        "resource": resource,
        "request": request,
        "user": user,
        "is_moderator": is_moderator(user),
        "stats": stats,
        "can_rate": rating,
        "rating_form": rating_form if rating else None,
        "notice": notice,
        "oob": oob,
        "next": resource.get_absolute_url(),
    }
