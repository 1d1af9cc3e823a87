"""The editor's Check panel: check the text as typed, accept a fix, ignore a finding.

The editor (recall.library.views) calls ``editor_action`` for its "check", "accept …"
and "ignore …" buttons and ``publish_blockers`` before publishing. Nothing here saves
the resource: an accepted fix changes the re-rendered, still unsaved form. Buttons carry
what they act on as JSON (card, field, range, the text expected there, the fix), so the
editor works without JavaScript and a stale button is refused rather than misapplied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from recall.lib.quality import Confidence, Finding
from recall.lib.quality.findings import StaleRange, replace_range
from recall.library.models import Resource

from .actions import finding_ignore, findings_ignore
from .checking import ResourceCheck, check_content

IGNORED_FIELD = "quality_ignored"  # an unsaved resource's ignores, until its first save
ACCEPT = "accept "
IGNORE = "ignore "
MAX_SESSION_IGNORED = 200
_SNIPPET = 32


@dataclass(frozen=True)
class PanelItem:
    finding: Finding
    number: int
    before: str
    after: str
    accepts: tuple[tuple[str, str], ...]  # (suggestion as shown, button value)
    ignore: str  # button value

    @property
    def high(self) -> bool:
        return self.finding.confidence == Confidence.HIGH


@dataclass
class Panel:
    items: list[PanelItem]
    ignored: int
    session_ignored: list[tuple[str, str, str]] = field(default_factory=list)
    notice: str = ""
    error: str = ""
    confirm_publish: bool = False

    @property
    def high(self) -> int:
        return sum(1 for item in self.items if item.high)

    @property
    def ignored_field(self) -> str:
        return json.dumps(self.session_ignored) if self.session_ignored else ""


def _cards(cards: list[dict]) -> list[tuple[str, str]]:
    return [(card.get("heading", ""), card.get("body", "")) for card in cards]


def _stored(fields: dict, cards: list[dict], finding: Finding) -> str:
    if finding.card is None:
        return fields.get("title", "")
    return cards[finding.card].get(finding.field, "") if finding.card < len(cards) else ""


def _item(number: int, finding: Finding, fields: dict, cards: list[dict]) -> PanelItem:
    stored = _stored(fields, cards, finding)
    where = {"card": finding.card, "field": finding.field, "start": finding.start}
    where |= {"end": finding.end, "text": finding.text}
    accepts = tuple(
        (suggestion, ACCEPT + json.dumps({**where, "fix": suggestion}, ensure_ascii=False))
        for suggestion in finding.suggestions[:3]
    )
    ignore = {"id": finding.fingerprint, "kind": finding.kind.value, "text": finding.text[:200]}
    before = stored[max(0, finding.start - _SNIPPET) : finding.start]
    return PanelItem(
        finding=finding,
        number=number,
        before=("…" if finding.start > _SNIPPET else "") + before.replace("\n", " "),
        after=stored[finding.end : finding.end + _SNIPPET].replace("\n", " ")
        + ("…" if finding.end + _SNIPPET < len(stored) else ""),
        accepts=accepts,
        ignore=IGNORE + json.dumps(ignore, ensure_ascii=False),
    )


def session_ignored(post) -> list[tuple[str, str, str]]:
    """The ignores an unsaved resource carries in its hidden field (bad data is dropped)."""
    try:
        data = json.loads(post.get(IGNORED_FIELD) or "[]")
    except ValueError:
        return []
    kept = []
    for entry in data if isinstance(data, list) else []:
        if isinstance(entry, list) and len(entry) == 3 and all(isinstance(v, str) for v in entry):
            kept.append((entry[0][:64], entry[1][:20], entry[2][:200]))
    return kept[:MAX_SESSION_IGNORED]


def build_panel(
    resource: Resource | None,
    fields: dict,
    cards: list[dict],
    ignored: list[tuple[str, str, str]],
    **options,
) -> Panel:
    check: ResourceCheck = check_content(
        fields.get("title", ""), _cards(cards), resource, also_ignored=[fp for fp, _, _ in ignored]
    )
    items = [_item(n, f, fields, cards) for n, f in enumerate(check.findings, start=1)]
    return Panel(items, len(check.ignored), ignored, **options)


def _parse(value: str) -> dict:
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _accept(data: dict, fields: dict, cards: list[dict]) -> str:
    """Apply one accepted fix to the form's values; the notice to show (or raise)."""
    card, name = data.get("card"), data.get("field")
    start, end, text, fix = (data.get(k) for k in ("start", "end", "text", "fix"))
    if not (
        isinstance(start, int)
        and isinstance(end, int)
        and isinstance(text, str)
        and isinstance(fix, str)
    ):
        raise StaleRange("not a fix")
    if card is None and name == "title":
        fields["title"] = replace_range(fields.get("title", ""), start, end, text, fix)
    elif isinstance(card, int) and 0 <= card < len(cards) and name in ("heading", "body"):
        cards[card][name] = replace_range(cards[card].get(name, ""), start, end, text, fix)
    else:
        raise StaleRange("no such card")
    return f"Replaced “{text}” with “{fix}”." if fix.strip() else f"Removed “{text}”."


def editor_action(
    request: HttpRequest,
    resource: Resource | None,
    action: str,
    fields: dict,
    cards: list[dict],
) -> Panel:
    """Carry out "check", "accept {…}" or "ignore {…}" on the editor's values (changed in
    place) and return the panel to show."""
    ignored = session_ignored(request.POST)
    notice = error = ""
    if action.startswith(ACCEPT):
        try:
            notice = _accept(_parse(action[len(ACCEPT) :]), fields, cards)
        except StaleRange:
            error = "The text there has changed since the check: check again to see what is left."
    elif action.startswith(IGNORE):
        data = _parse(action[len(IGNORE) :])
        fingerprint, kind, text = (str(data.get(k, "")) for k in ("id", "kind", "text"))
        try:
            if resource is not None:
                finding_ignore(request.user, resource, fingerprint, kind=kind, text=text)
            elif fingerprint and len(ignored) < MAX_SESSION_IGNORED:
                ignored.append((fingerprint[:64], kind[:20], text[:200]))
            notice = f"Ignored “{text}” in this resource."
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
    return build_panel(resource, fields, cards, ignored, notice=notice, error=error)


def publish_blockers(
    request: HttpRequest, resource: Resource | None, fields: dict, cards: list[dict]
) -> Panel | None:
    """The panel asking to confirm, when publishing would leave high-confidence findings."""
    panel = build_panel(
        resource, fields, cards, session_ignored(request.POST), confirm_publish=True
    )
    return panel if panel.high else None


def save_session_ignores(request: HttpRequest, resource: Resource) -> None:
    """After the first save, remember what the author ignored while it was unsaved."""
    ignored = session_ignored(request.POST)
    if ignored:
        try:
            findings_ignore(request.user, resource, ignored)
        except ValidationError:
            pass  # a tampered field: the ignores are a convenience, the save stands
