"""The API's typed shapes: what each operation reads and writes. The OpenAPI schema at
/api/v1/openapi.json is generated from these.

Inputs are strict (a number is not a string, unknown fields are refused) and refuse text
no database can store: NUL characters and lone surrogates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from recall.community.models import (
    MAX_COMMENT_LENGTH,
    MAX_REPORT_LENGTH,
    MAX_STARS,
    MIN_STARS,
)
from recall.lib import resource_text
from recall.lib.resource_text import normalise_spaces

KindCode = Literal[tuple(code for code, _ in resource_text.KINDS)]
LevelCode = Literal[tuple(code for code, _ in resource_text.LEVELS)]
LevelOrNone = Literal[("", *(code for code, _ in resource_text.LEVELS))]
MAX_ID = 2**63 - 1  # the largest database id: larger numbers are refused, not looked up
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
USERNAME_PATTERN = r"^[\w.@+-]+$"
CURSOR_PATTERN = r"^[A-Za-z0-9_=-]+$"
# What text fields accept, for the schema (the validators below check it): no NUL; and where
# text is required, a visible character (names and headings drop zero-width characters).
NO_NUL = r"^[^\u0000]*$"
VISIBLE_TEXT = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
VISIBLE_LINE = r"^[^\u0000]*[^\s\u0000\u200b\u200c\u200d\u2060\ufeff][^\u0000]*$"


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("can't contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid Unicode text (it has a lone surrogate)") from None
    return value


def _one_line(value: str) -> str:
    """Unicode spaces and line breaks become single spaces, as the editor's fields do."""
    return normalise_spaces(" ".join(value.splitlines()))


def _markdown(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def _whole(value: object) -> object:
    """JSON has one kind of number: 3.0 is the whole number 3 (but "3" and true are not)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def text_field(default=..., *, pattern: str = NO_NUL, **kwargs):
    """A Field whose schema documents what the validators accept (they give the messages)."""
    return Field(default, json_schema_extra={"pattern": pattern}, **kwargs)


def whole_number(ge: int, le: int) -> object:
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_whole)]


# Text stored as written (Markdown, comments), and one line of plain text (titles, names).
Text = Annotated[str, AfterValidator(_storable)]
Line = Annotated[str, AfterValidator(_storable), AfterValidator(_one_line)]
Markdown = Annotated[str, AfterValidator(_storable), AfterValidator(_markdown)]
Id = whole_number(1, MAX_ID)
CardPosition = whole_number(1, resource_text.MAX_CARDS)
Stars = whole_number(MIN_STARS, MAX_STARS)
Version = Annotated[
    Id,
    Field(
        description="The resource's version you read. Sent, a change to a resource saved "
        "by someone since is refused with 409; left out, the change is made to the latest "
        "version.",
    ),
]


class Input(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


# --- errors ------------------------------------------------------------------------------


class ErrorDetail(Schema):
    code: Literal[
        "bad_request",
        "unauthorized",
        "forbidden",
        "not_found",
        "method_not_allowed",
        "conflict",
        "too_large",
        "invalid",
        "rate_limited",
        "server_error",
    ] = Field(description="Stable: scripts may rely on it.")
    message: str = Field(description="What went wrong, for people.")
    fields: dict[str, str] = Field(
        description="Input fields at fault (dotted paths such as cards.0.body), each with "
        "what is wrong with it; empty when the error is not about one field."
    )


class ErrorOut(Schema):
    error: ErrorDetail


# --- the library -------------------------------------------------------------------------


class NamedRef(Schema):
    slug: str
    name: str


class SubjectOut(Schema):
    slug: str
    name: str
    resource_count: int = Field(description="Published resources anyone can read.")
    url: str = Field(description="The subject's page on the site.")

    @staticmethod
    def resolve_url(subject) -> str:
        return subject.get_absolute_url()


class TopicOut(Schema):
    slug: str
    name: str
    subject: NamedRef
    resource_count: int = Field(description="Published resources anyone can read.")
    url: str = Field(description="The topic's page on the site.")

    @staticmethod
    def resolve_url(topic) -> str:
        return topic.get_absolute_url()


class ResourceSummary(Schema):
    slug: str
    title: str
    subject: NamedRef
    topic: NamedRef
    kind: KindCode
    level: LevelOrNone = Field(description='A level code, or "" when not given.')
    exam_board: str
    author: str = Field(description="The author's username.")
    status: Literal["draft", "published"]
    hidden: bool = Field(description="Hidden by a moderator (only its author sees it then).")
    visible: bool = Field(
        description="Readable by everyone: published, not hidden, and its subject and topic "
        "approved by a moderator."
    )
    card_count: int
    version: int = Field(description="Goes up with every save: send it back when changing.")
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    url: str = Field(description="The resource's page on the site.")

    @staticmethod
    def resolve_author(resource) -> str:
        return resource.author.get_username()

    @staticmethod
    def resolve_hidden(resource) -> bool:
        return resource.is_hidden

    @staticmethod
    def resolve_visible(resource) -> bool:
        return resource.is_visible

    @staticmethod
    def resolve_url(resource) -> str:
        return resource.get_absolute_url()


class CardOut(Schema):
    position: int = Field(description="1 for the first card, as readers count.")
    heading: str = Field(description="Plain text; may be empty.")
    body: str = Field(description="Markdown, as the author wrote it.")
    body_html: str = Field(description="The body rendered and sanitised: safe to show as HTML.")


class ResourceDetail(ResourceSummary):
    cards: list[CardOut]
    rating_average: float | None = Field(description="Average stars (1 to 5), null if unrated.")
    rating_count: int
    comment_count: int = Field(description="Comments this reader can see.")

    @staticmethod
    def resolve_cards(resource) -> list:
        return list(resource.cards.all())

    @staticmethod
    def resolve_rating_average(resource) -> float | None:
        average = resource.stats["rating_average"]
        return None if average is None else round(float(average), 2)

    @staticmethod
    def resolve_rating_count(resource) -> int:
        return resource.stats["rating_count"]

    @staticmethod
    def resolve_comment_count(resource) -> int:
        return resource.stats["comment_count"]


class ResourcePage(Schema):
    items: list[ResourceSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class ResourceFilters(Schema):
    subject: str | None = Field(
        None, max_length=100, pattern=SLUG_PATTERN, description="A subject's slug."
    )
    topic: str | None = Field(
        None, max_length=100, pattern=SLUG_PATTERN, description="A topic's slug."
    )
    level: LevelCode | None = None
    kind: KindCode | None = None
    author: str | None = Field(
        None, max_length=150, pattern=USERNAME_PATTERN, description="A username."
    )
    cursor: str | None = Field(
        None,
        max_length=200,
        pattern=CURSOR_PATTERN,
        description="From the previous page's `next_cursor`.",
    )
    limit: int = Field(20, ge=1, le=100, description="Resources per page.")


def _has_text(body: str | None) -> str | None:
    if body is not None and not body.strip():
        raise ValueError("a card needs some text")
    return body


MAX_TITLE = resource_text.MAX_TITLE_LENGTH
MAX_NAME = resource_text.MAX_NAME_LENGTH
MAX_HEADING = resource_text.MAX_HEADING_LENGTH
MAX_CARD = resource_text.MAX_CARD_LENGTH
MAX_EXAM_BOARD = resource_text.MAX_EXAM_BOARD_LENGTH
SUBJECT_HELP = "A subject's name; a new one waits for a moderator before readers see the resource."
TOPIC_HELP = "A topic's name within the subject; a new one waits for a moderator."


class CardIn(Input):
    heading: Line = text_field("", max_length=MAX_HEADING)
    body: Markdown = text_field(
        pattern=VISIBLE_TEXT, min_length=1, max_length=MAX_CARD, description="Markdown."
    )

    _body_has_text = field_validator("body")(_has_text)


class ResourceIn(Input):
    title: Line = text_field(pattern=VISIBLE_LINE, min_length=1, max_length=MAX_TITLE)
    subject: Line = text_field(
        pattern=VISIBLE_LINE, min_length=1, max_length=MAX_NAME, description=SUBJECT_HELP
    )
    topic: Line = text_field(
        pattern=VISIBLE_LINE, min_length=1, max_length=MAX_NAME, description=TOPIC_HELP
    )
    kind: KindCode = "notes"
    level: LevelOrNone = Field("", description='A level code, or "" for none.')
    exam_board: Line = text_field("", max_length=MAX_EXAM_BOARD)
    cards: list[CardIn] = Field(min_length=1, max_length=resource_text.MAX_CARDS)
    publish: bool = Field(False, description="Publish at once; a draft otherwise.")


class ResourcePatch(Input):
    version: Version | None = None
    title: Line | None = text_field(None, pattern=VISIBLE_LINE, min_length=1, max_length=MAX_TITLE)
    subject: Line | None = text_field(
        None, pattern=VISIBLE_LINE, min_length=1, max_length=MAX_NAME, description=SUBJECT_HELP
    )
    topic: Line | None = text_field(
        None, pattern=VISIBLE_LINE, min_length=1, max_length=MAX_NAME, description=TOPIC_HELP
    )
    kind: KindCode | None = None
    level: LevelOrNone | None = Field(None, description='A level code, or "" for none.')
    exam_board: Line | None = text_field(None, max_length=MAX_EXAM_BOARD)
    cards: list[CardIn] | None = Field(
        None,
        min_length=1,
        max_length=resource_text.MAX_CARDS,
        description="All the cards, replacing the current ones.",
    )
    publish: bool | None = Field(
        None, description="true publishes, false makes it a draft again; left out, kept."
    )


class CardNew(CardIn):
    position: CardPosition | None = Field(
        None,
        description="Where the card goes (the cards from there on move up one); at the end "
        "when left out.",
    )
    version: Version | None = None


class CardPatch(Input):
    heading: Line | None = text_field(None, max_length=MAX_HEADING)
    body: Markdown | None = text_field(
        None, pattern=VISIBLE_TEXT, min_length=1, max_length=MAX_CARD, description="Markdown."
    )
    version: Version | None = None

    _body_has_text = field_validator("body")(_has_text)


class ImportText(Input):
    # The limit is the file's size in bytes (413 when over), which maxLength only bounds.
    text: Text = Field(
        min_length=1,
        json_schema_extra={"pattern": NO_NUL, "maxLength": resource_text.MAX_FILE_BYTES},
        description="A whole file in one of the import formats: a scraped revision page, or "
        "Markdown with YAML front matter. At most 2 MB as UTF-8.",
    )
    publish: bool = Field(True, description="Publish at once (the default), or keep a draft.")


class ImportForm(BaseModel):
    """The multipart form's fields other than the file, as strings ("true", "false")."""

    publish: bool = True


class MarkdownIn(Input):
    text: Text = text_field(max_length=MAX_CARD, description="A card's Markdown.")


class MarkdownOut(Schema):
    html: str = Field(description="Rendered and sanitised, as a card would store it.")


class TokenOut(Schema):
    name: str
    prefix: str = Field(description="The token's first characters, to tell it apart.")
    created_at: datetime
    last_used_at: datetime | None


class MeOut(Schema):
    username: str
    token: TokenOut


class SearchQuery(Schema):
    q: str = text_field(
        min_length=1, max_length=200, description="Words to find; quote words for a phrase."
    )
    subject: str | None = Field(
        None, max_length=100, pattern=SLUG_PATTERN, description="A subject's slug."
    )
    topic: str | None = Field(
        None, max_length=100, pattern=SLUG_PATTERN, description="A topic's slug."
    )
    level: LevelCode | None = None
    kind: KindCode | None = None
    exact: bool = Field(False, description="Search the words as typed, uncorrected.")
    page: int = Field(1, ge=1, le=500)
    limit: int = Field(20, ge=1, le=50, description="Results per page.")

    _q_storable = field_validator("q")(_storable)


class SearchHit(Schema):
    resource: ResourceSummary
    title_html: str = Field(description="The title, escaped, with matched words in <mark>.")
    snippet_html: str = Field(description="A passage, escaped, with matched words in <mark>.")


class SearchPage(Schema):
    query: str
    corrected: str = Field(
        description="The query as searched when misspelt words were corrected, else empty."
    )
    total: int = Field(
        description="Results on every page; when total_exact is false, more than this match."
    )
    total_exact: bool = Field(
        description="False when counting stopped (more than 1,000 matches, or than the page's end)."
    )
    page: int
    items: list[SearchHit]


# --- the community -----------------------------------------------------------------------


class CommentOut(Schema):
    id: int
    resource: str = Field(description="The resource's slug.")
    parent: int | None = Field(description="The comment this replies to, if a reply.")
    author: str = Field(description="The author's username.")
    body: str = Field(description="Markdown (a subset: no headings, tables or images).")
    body_html: str = Field(description="The body rendered and sanitised.")
    created_at: datetime
    updated_at: datetime
    edited: bool
    hidden: bool = Field(description="Hidden by a moderator (only its author sees it then).")

    @staticmethod
    def resolve_resource(comment) -> str:
        return comment.resource.slug

    @staticmethod
    def resolve_parent(comment) -> int | None:
        return comment.parent_id

    @staticmethod
    def resolve_author(comment) -> str:
        return comment.author.get_username()

    @staticmethod
    def resolve_edited(comment) -> bool:
        return comment.is_edited

    @staticmethod
    def resolve_hidden(comment) -> bool:
        return comment.is_hidden


class CommentPage(Schema):
    items: list[CommentOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class PageQuery(Schema):
    cursor: str | None = Field(
        None,
        max_length=200,
        pattern=CURSOR_PATTERN,
        description="From the previous page's `next_cursor`.",
    )
    limit: int = Field(50, ge=1, le=100)


class CommentIn(Input):
    body: Text = text_field(
        pattern=VISIBLE_TEXT, min_length=1, max_length=MAX_COMMENT_LENGTH, description="Markdown."
    )
    parent: Id | None = Field(None, description="Reply to this comment (on the same resource).")


class CommentPatch(Input):
    body: Text = text_field(
        pattern=VISIBLE_TEXT, min_length=1, max_length=MAX_COMMENT_LENGTH, description="Markdown."
    )


class RatingIn(Input):
    stars: Stars


class RatingOut(Schema):
    stars: int = Field(description="Your rating.")
    rating_average: float = Field(description="The resource's average, yours included.")
    rating_count: int


class ReportIn(Input):
    reason: Text = text_field(
        pattern=VISIBLE_TEXT,
        min_length=1,
        max_length=MAX_REPORT_LENGTH,
        description="What is wrong: only the moderators see it.",
    )


class ReportOut(Schema):
    id: int
    created_at: datetime
