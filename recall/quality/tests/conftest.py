from __future__ import annotations

from html.parser import HTMLParser

import pytest

from recall.quality.vocabulary import forget_corpus


@pytest.fixture(autouse=True)
def _fresh_corpus():
    # Database ids are reused between tests: don't let one test's corpus serve another.
    forget_corpus()
    yield
    forget_corpus()


class _FormReader(HTMLParser):
    """The values a browser would submit from the page's editor form (no JavaScript)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self.buttons: list[tuple[str, str, str]] = []  # (name, value, label)
        self._textarea: str | None = None
        self._select: str | None = None
        self._button: list | None = None
        self._in_editor = False
        self.textareas: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "editor-form" in (attrs.get("class") or ""):
            self._in_editor = True
        if not self._in_editor:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("checkbox", "submit"):
            self.data[name] = attrs.get("value") or ""
        elif tag == "input" and name and attrs.get("type") == "checkbox" and "checked" in attrs:
            self.data[name] = "on"
        elif tag == "textarea" and name:
            self._textarea = name
            self.textareas.append(name)
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""
        elif tag == "button" and name:
            self._button = [name, attrs.get("value") or "", ""]

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_editor = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "button" and self._button:
            self.buttons.append(tuple(self._button))
            self._button = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data
        if self._button is not None:
            self._button[2] += data


def read_editor(html: str) -> _FormReader:
    reader = _FormReader()
    reader.feed(html)
    # A textarea's first newline is not part of its value.
    for name in reader.textareas:
        if reader.data[name].startswith("\n"):
            reader.data[name] = reader.data[name][1:]
    return reader
