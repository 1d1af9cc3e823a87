"""Test helpers for hostile input: the shared XSS payload lists and a whole-page auditor."""

from __future__ import annotations

import json
import random
from html.parser import HTMLParser
from urllib.parse import urlsplit

from recall.conftest import SHARED

XSS_DIR = SHARED / "data" / "xss"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
DANGEROUS_SCHEMES = {"javascript", "data", "vbscript"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}


def payloads(name: str, sample: int | None = None) -> list[str]:
    """The payloads of one list; `sample` picks that many with a fixed seed."""
    vectors = json.loads((XSS_DIR / name).read_text(encoding="utf-8"))["vectors"]
    found = [vector["payload_html"] for vector in vectors]
    if sample is not None and sample < len(found):
        found = random.Random(20261127).sample(found, sample)  # noqa: S311 - not security
    return found


def hostile_inputs() -> list[str]:
    """Every OWASP and JavaScript-execution payload and 1,000 from the payloadbox list."""
    return (
        payloads("owasp-xss-filter-evasion.json")
        + payloads("javascript-execution.json")
        + payloads("payloadbox-xss-payload-list.json", sample=1000)
    )


class _PageAudit(HTMLParser):
    """Finds anything in a page that could run script: our own script files excepted."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            src = values.get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"script element {values!r}")
            self._in_script = True
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and "http-equiv" in values and values["http-equiv"].lower() == "refresh":
            self.problems.append("meta refresh")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                scheme = urlsplit(value.strip().lower()).scheme
                if scheme in DANGEROUS_SCHEMES:
                    self.problems.append(f"{scheme}: URL in {name} on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("inline script content")


def audit_page(html: str) -> list[str]:
    parser = _PageAudit()
    parser.feed(html)
    parser.close()
    return parser.problems
