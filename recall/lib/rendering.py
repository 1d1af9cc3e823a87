"""Markdown to safe HTML: the one function every path that stores content goes through.

markdown-it-py renders CommonMark with raw HTML switched off (so a user's "<script>"
becomes text), then nh3 (the Ammonia sanitiser) keeps only an allow-list of tags,
attributes and URL schemes, as a second wall should the renderer ever let one through.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# nh3 and markdown-it are imported where used: only writing paths render (about 2.6 MB a
# worker that only serves pages does without).

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5",
        "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
        "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # Headings inside a card start at h2: the page's h1 is the resource title.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


COMMENT_ALLOWED_TAGS = frozenset(
    {
        "a", "b", "blockquote", "br", "code", "del", "em", "hr", "i", "li", "ol", "p", "pre",
        "s", "strong", "ul",
    }
)  # fmt: skip
COMMENT_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


@lru_cache(maxsize=1)
def _comment_renderer() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # A comment's Markdown subset: no headings, tables or images.
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False})
        .enable(["strikethrough"])
        .disable(["heading", "lheading", "image"])
    )


def sanitise_html(
    html: str,
    *,
    tags: frozenset[str] = ALLOWED_TAGS,
    attributes: dict[str, set[str]] = ALLOWED_ATTRIBUTES,
    link_rel: str = "nofollow noopener noreferrer",
) -> str:
    import nh3

    return nh3.clean(
        html,
        tags=set(tags),
        attributes={tag: set(attrs) for tag, attrs in attributes.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=link_rel,
        strip_comments=True,
    )


# Anki's cloze syntax in flashcards ("{{c1::1953::year}}"): readers see the span, in bold.
_CLOZE_MARKER = re.compile(r"\{\{c\d{1,3}::(.+?)(?:::[^{}]*?)?\}\}", re.DOTALL)


def render_markdown(text: str) -> str:
    """Render a card's Markdown to sanitised HTML, ready to store and show."""
    rendered = _renderer().render(text)
    if "{{c" in rendered:
        rendered = _CLOZE_MARKER.sub(lambda match: _bold_cloze(rendered, match), rendered)
    return sanitise_html(rendered)


def _bold_cloze(html: str, match: re.Match[str]) -> str:
    inside_tag = html.rfind("<", 0, match.start()) > html.rfind(">", 0, match.start())
    return match.group() if inside_tag else f"<b>{match.group(1)}</b>"


def render_comment_markdown(text: str) -> str:
    """Render a comment's Markdown subset with a stricter allow-list; links marked ugc."""
    return sanitise_html(
        _comment_renderer().render(text),
        tags=COMMENT_ALLOWED_TAGS,
        attributes=COMMENT_ALLOWED_ATTRIBUTES,
        link_rel="nofollow noopener noreferrer ugc",
    )
