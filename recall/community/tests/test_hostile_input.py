"""Hostile comments and report reasons: posted through the views, stored and shown on the
resource page and the moderation queue without anything that could run script."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from recall.community import views
from recall.community.models import Comment, Report
from recall.conftest import SHARED
from recall.lib.rendering import COMMENT_ALLOWED_TAGS, render_comment_markdown
from recall.lib.tests.test_rendering import audit

from .conftest import COMMENTS_URL, URL

pytestmark = pytest.mark.django_db

XSS_FILES = ["owasp-xss-filter-evasion.json", "javascript-execution.json"]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href"}


def payloads() -> list[str]:
    found = []
    for name in XSS_FILES:
        vectors = json.loads((SHARED / "data" / "xss" / name).read_text(encoding="utf-8"))
        found += [vector["payload_html"] for vector in vectors["vectors"]]
    return found


class _PageAudit(HTMLParser):
    """Script elements other than our own files, on* handlers, and javascript:/data: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append(f"<script> {values}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name} on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                # Browsers drop control characters and spaces before the scheme.
                cleaned = "".join(ch for ch in value if ord(ch) > 32)
                scheme = urlsplit(cleaned).scheme.lower()
                if scheme in {"javascript", "data", "vbscript"}:
                    self.problems.append(f"{name}={value!r} on <{tag}>")


def audit_page(html: str) -> list[str]:
    parser = _PageAudit()
    parser.feed(html)
    parser.close()
    return parser.problems


def test_the_page_audit_can_fail():
    html = (
        '<script src="/static/recall/js/cards.js"></script><script>x()</script>'
        '<a href=" java\tscript:alert(1)" onmouseover="x">a</a><img src="data:text/html,x">'
    )

    assert audit_page(html) == [
        "<script> {}",
        "href=' java\\tscript:alert(1)' on <a>",
        "onmouseover on <a>",
        "src='data:text/html,x' on <img>",
    ]


def test_the_payload_lists_are_there():
    assert len(payloads()) > 250


@pytest.fixture
def no_rate_limits(monkeypatch):
    monkeypatch.setattr(views, "COMMENT_RATE", "100000/m")
    monkeypatch.setattr(views, "REPORT_RATE", "100000/h")


def test_no_script_survives_a_comment(client, other, moderator, resource, no_rate_limits):
    client.force_login(other)
    sent = []
    for payload in payloads():
        for body in (payload, f"[link]({payload})", f"> {payload}"):
            body = body[:5000].strip() or "empty"
            response = client.post(COMMENTS_URL, {"body": body})
            if "\x00" in body:  # refused as a form error, never a 500
                assert response.status_code == 422
                assert "Null characters are not allowed." in response.content.decode()
                continue
            assert response.status_code == 302, body
            sent.append(body)

    stored = list(Comment.objects.values_list("body", "body_html"))
    assert len(stored) == len(sent)
    for body, body_html in stored:
        assert audit(body_html) == [], body
        assert audit_page(body_html) == [], body
        found = set(_tags(body_html))
        assert found <= COMMENT_ALLOWED_TAGS, (body, found - COMMENT_ALLOWED_TAGS)
    for viewer in (other, moderator):
        client.force_login(viewer)
        html = client.get(URL).content.decode()
        assert html.count('<article class="comment') == len(sent)
        assert audit_page(html) == []


def test_no_script_survives_a_report_reason(client, other, moderator, comment, no_rate_limits):
    client.force_login(other)
    reasons = [payload[:1000].strip() or "empty" for payload in payloads()]
    reasons = [reason for reason in reasons if "\x00" not in reason]
    for reason in reasons:
        response = client.post(f"/comments/{comment.pk}/report/", {"reason": reason})
        assert response.status_code == 302, reason

    assert Report.objects.count() == len(reasons)
    client.force_login(moderator)
    html = client.get("/moderation/").content.decode()
    assert html.count('class="report-reason"') == views.QUEUE_LENGTH
    assert audit_page(html) == []


def test_the_comment_renderer_keeps_to_its_allow_list():
    for payload in payloads():
        html = render_comment_markdown(payload)
        assert set(_tags(html)) <= COMMENT_ALLOWED_TAGS, payload
        assert audit(html) == [], payload


def _tags(html: str) -> list[str]:
    tags: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append(tag)

    Collect().feed(html)
    return tags
