"""render_markdown: Markdown in, only allow-listed HTML out, whatever the input."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from recall.conftest import SHARED
from recall.lib.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown

XSS_DIR = SHARED / "data" / "xss"
XSS_FILES = [
    "owasp-xss-filter-evasion.json",
    "javascript-execution.json",
    "payloadbox-xss-payload-list.json",
]


class _Audit(HTMLParser):
    """Collects every tag, attribute and URL the rendered HTML would give a browser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}
        for name, value in attrs:
            if name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "href" and value:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme not in {"", "http", "https", "mailto"}:
                    self.problems.append(f"href scheme {scheme!r}")


def audit(html: str) -> list[str]:
    parser = _Audit()
    parser.feed(html)
    parser.close()
    return parser.problems


def test_it_renders_notes_markdown():
    html = render_markdown("## Key dates\n\n- **1953** Stalin dies\n- [More](https://example.org)")

    assert "<h2>Key dates</h2>" in html
    assert "<li><strong>1953</strong> Stalin dies</li>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">More</a>' in html


def test_it_shows_raw_html_as_text():
    assert render_markdown("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_the_audit_catches_what_it_should():
    # The checker itself must be able to fail.
    assert audit('<script>x</script><a href="javascript:alert(1)" onclick="x">a</a>') == [
        "tag <script>",
        "href scheme 'javascript'",
        "attribute onclick on <a>",
    ]


@pytest.mark.parametrize("name", XSS_FILES)
def test_no_xss_payload_survives(name):
    vectors = json.loads((XSS_DIR / name).read_text(encoding="utf-8"))["vectors"]
    assert vectors
    for vector in vectors:
        payload = vector["payload_html"]
        for text in (payload, f"[link]({payload})", f"<{payload}>", f"- {payload}"):
            problems = audit(render_markdown(text))
            assert problems == [], (payload, problems)
