"""Data leaving the site: every visible resource as importable Markdown (export_site), and
everything one user made as a zip (user_data_export, from their account settings page).

Resources are written in the Markdown import format, so that `import_resources` reads an
export back into the same library.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from recall.community.models import Comment, Rating, Report
from recall.lib.resource_text import (
    ParsedCard,
    ParsedResource,
    format_markdown_resource,
    parse_markdown_resource,
)
from recall.library.models import Card, Resource


def resource_content(resource: Resource) -> ParsedResource:
    """A stored resource as the importer's plain data, its author's username included."""
    return ParsedResource(
        title=resource.title,
        subject=resource.subject.name,
        topic=resource.topic.name,
        cards=tuple(ParsedCard(card.heading, card.body) for card in resource.cards.all()),
        level=resource.level,
        exam_board=resource.exam_board,
        author=resource.author.get_username(),
        kind=resource.kind,
    )


def _with_content(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    return resources.select_related("subject", "topic", "author").prefetch_related(
        Prefetch("cards", queryset=Card.objects.order_by("position"))
    )


def export_file_name(resource: Resource) -> str:
    """Stable across exports: the slug is chosen once and unique."""
    return f"{resource.slug}.md"


@dataclass(frozen=True)
class SiteExport:
    written: list[Path]
    # Resources whose file would not read back identically (a card line "---" outside a
    # code fence, say); they are written anyway, and named so that someone can look.
    inexact: list[str]


def site_export(directory: Path) -> SiteExport:
    """Write every visible resource to DIRECTORY/<slug>.md in the Markdown import format."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written, inexact = [], []
    resources = _with_content(Resource.objects.visible()).order_by("slug")
    for resource in resources.iterator(chunk_size=200):
        content = resource_content(resource)
        text = format_markdown_resource(content)
        if parse_markdown_resource(text) != content:
            inexact.append(resource.slug)
        path = directory / export_file_name(resource)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return SiteExport(written=written, inexact=inexact)


# --- one user's data -----------------------------------------------------------------

# Other apps add their part of a user's data here (recall.study: study history as CSV,
# decks): a function of the user returning {file name in the zip: bytes}, registered
# once from the app's AppConfig.ready().
UserDataSection = Callable[[AbstractBaseUser], dict[str, bytes]]
_user_data_sections: list[UserDataSection] = []


def register_user_data_section(section: UserDataSection) -> UserDataSection:
    if section not in _user_data_sections:
        _user_data_sections.append(section)
    return section


# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Text that a spreadsheet would take for a formula, quoted with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: list[str], rows: Iterable[list[object]]) -> bytes:
    """A CSV file of user-written text, safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def _time(value) -> str:
    return value.isoformat() if value else ""


README = """\
Your data from Recall, as of {now} (UTC), for the account "{username}".

account.json    your account: username, email address, when you joined and last logged in
resources/      every resource you wrote ({resources}), drafts and hidden ones included, one
                file each in Recall's Markdown import format: `manage.py import_resources`
                or the API's POST /imports reads them back
comments.csv    every comment you wrote ({comments}): the resource, the comment you replied
                to, when, whether a moderator hid it, and the text (Markdown) as written
ratings.csv     every rating you gave ({ratings}), 1 to 5 stars
reports.csv     every report you sent to the moderators ({reports})
{extra}
Other people's comments on your resources are theirs, so they are not included.
"""


def user_data_export(user: AbstractBaseUser) -> bytes:
    """Everything this user made, as the bytes of one zip; only their own data."""
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied("Log in to download your data.")
    files: dict[str, bytes] = {}
    account = {
        "username": user.get_username(),
        "email": getattr(user, "email", ""),
        "date_joined": _time(getattr(user, "date_joined", None)),
        "last_login": _time(user.last_login),
    }
    files["account.json"] = json.dumps(account, indent=2, ensure_ascii=False).encode()

    resources = list(_with_content(Resource.objects.filter(author=user)).order_by("slug"))
    for resource in resources:
        text = format_markdown_resource(resource_content(resource))
        files[f"resources/{export_file_name(resource)}"] = text.encode("utf-8")

    comments = Comment.objects.filter(author=user).select_related("resource").order_by("id")
    files["comments.csv"] = csv_bytes(
        ["id", "resource", "resource_title", "reply_to", "created_at", "updated_at", "hidden"]
        + ["text"],
        (
            [
                comment.pk,
                comment.resource.slug,
                comment.resource.title,
                comment.parent_id or "",
                _time(comment.created_at),
                _time(comment.updated_at),
                "yes" if comment.is_hidden else "no",
                comment.body,
            ]
            for comment in comments
        ),
    )
    ratings = Rating.objects.filter(user=user).select_related("resource").order_by("id")
    files["ratings.csv"] = csv_bytes(
        ["resource", "resource_title", "stars", "created_at", "updated_at"],
        (
            [r.resource.slug, r.resource.title, r.stars, _time(r.created_at), _time(r.updated_at)]
            for r in ratings
        ),
    )
    reports = (
        Report.objects.filter(reporter=user)
        .select_related("resource", "comment__resource")
        .order_by("id")
    )
    files["reports.csv"] = csv_bytes(
        ["about", "resource", "comment", "reason", "created_at", "resolved_at"],
        (
            [
                "comment" if report.comment_id else "resource",
                (report.comment.resource if report.comment_id else report.resource).slug,
                report.comment_id or "",
                report.reason,
                _time(report.created_at),
                _time(report.resolved_at),
            ]
            for report in reports
        ),
    )
    extra_names = []
    for section in _user_data_sections:
        for name, data in section(user).items():
            files[name] = data
            extra_names.append(name)
    readme = README.format(
        now=timezone.now().strftime("%Y-%m-%d %H:%M"),
        username=user.get_username(),
        resources=len(resources),
        comments=len(comments),
        ratings=len(ratings),
        reports=len(reports),
        extra="".join(f"{name}\n" for name in extra_names),
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
