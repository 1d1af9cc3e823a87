"""Parse a revision resource from text: pure functions over strings, no Django.

Two formats, told apart by the content:

* the scraped page format of the site our reference page comes from: the first line
  is the title, "N of M" lines end cards, lines starting with "•" are bullet points,
  and the "See all X resources »See all Y resources »" line names subject and topic;
* Markdown with a YAML front-matter block, cards separated by a line ``---``, a card's
  heading on a ``## `` line.

Both give a ``ParsedResource``; anything that cannot be imported raises
``ResourceFormatError`` with a message a person can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TITLE_LENGTH = 200
MAX_NAME_LENGTH = 100
MAX_HEADING_LENGTH = 200
MAX_CARDS = 100
MAX_CARD_LENGTH = 20_000
MAX_EXAM_BOARD_LENGTH = 50
MAX_AUTHOR_LENGTH = 150

# Level codes stored in the database, with their display names, in teaching order.
LEVELS: tuple[tuple[str, str], ...] = (
    ("ks3", "KS3"),
    ("gcse", "GCSE"),
    ("igcse", "IGCSE"),
    ("national-5", "National 5"),
    ("higher", "Higher"),
    ("as", "AS"),
    ("a-level", "A-level"),
    ("ib", "IB"),
    ("btec", "BTEC"),
    ("university", "University"),
    ("other", "Other"),
)
_LEVEL_ALIASES = {
    **{code.replace("-", ""): code for code, _ in LEVELS},
    **{name.lower().replace("-", "").replace(" ", ""): code for code, name in LEVELS},
    "alevels": "a-level",
    "a2": "a-level",
    "a2level": "a-level",
    "aslevel": "as",
    "keystage3": "ks3",
    "nat5": "national-5",
    "n5": "national-5",
    "scottishhigher": "higher",
    "undergraduate": "university",
}

FRONT_MATTER_KEYS = ("title", "subject", "topic", "kind", "level", "exam_board", "author")
KINDS = (("notes", "Revision notes"), ("flashcards", "Flashcards"), ("quiz", "Quiz"))
REQUIRED_FRONT_MATTER_KEYS = ("title", "subject", "topic")


class ResourceFormatError(ValueError):
    """The text is not an importable resource; the message says why."""


@dataclass(frozen=True)
class ParsedCard:
    heading: str
    body: str  # Markdown


@dataclass(frozen=True)
class ParsedResource:
    title: str
    subject: str
    topic: str
    cards: tuple[ParsedCard, ...]
    level: str = ""  # a code from LEVELS, or ""
    exam_board: str = ""
    author: str = ""  # a username, or "" for the importer's default
    kind: str = "notes"  # a code from KINDS
    source_format: str = field(default="markdown", compare=False)

    def to_dict(self) -> dict:
        """The content as plain data (what a revision stores); from_dict reads it back."""
        return {
            "title": self.title,
            "subject": self.subject,
            "topic": self.topic,
            "kind": self.kind,
            "level": self.level,
            "exam_board": self.exam_board,
            "cards": [{"heading": card.heading, "body": card.body} for card in self.cards],
        }

    @classmethod
    def from_dict(cls, data: dict) -> ParsedResource:
        return cls(
            title=data["title"],
            subject=data["subject"],
            topic=data["topic"],
            kind=data.get("kind", "notes"),
            level=data.get("level", ""),
            exam_board=data.get("exam_board", ""),
            cards=tuple(ParsedCard(card["heading"], card["body"]) for card in data["cards"]),
        )


def parse_level(value: str) -> str:
    """Map a level as people write it ("A level", "GCSE", "as") to its code in LEVELS."""
    key = re.sub(r"[\s\-_]", "", value.strip().lower())
    if not key:
        return ""
    try:
        return _LEVEL_ALIASES[key]
    except KeyError:
        names = ", ".join(name for _, name in LEVELS)
        raise ResourceFormatError(f"unknown level {value!r} (expected one of: {names})") from None


def level_name(code: str) -> str:
    return dict(LEVELS).get(code, "")


def decode_resource_bytes(data: bytes) -> str:
    """Turn an uploaded or read file into text, refusing what is not a resource file."""
    if len(data) > MAX_FILE_BYTES:
        raise ResourceFormatError(
            f"file is too large ({len(data):,} bytes; the limit is {MAX_FILE_BYTES:,})"
        )
    if not data.strip():
        raise ResourceFormatError("file is empty")
    if b"\x00" in data:
        raise ResourceFormatError("file is not text (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data":
            raise ResourceFormatError(
                f"file is not UTF-8 text (it ends in the middle of a character, "
                f"at byte offset {error.start}: truncated?)"
            ) from None
        raise ResourceFormatError(
            f"file is not UTF-8 text (undecodable byte at offset {error.start})"
        ) from None
    return text


def parse_resource_text(text: str, *, require_metadata: bool = True) -> ParsedResource:
    """Parse either format, detected from the content.

    With require_metadata=False (notes pasted into the editor, whose form already has a
    title, subject and topic) a missing title, subject or topic is left empty.
    """
    text = _normalise_newlines(text)
    if not text.strip():
        raise ResourceFormatError("file is empty")
    if _FRONT_MATTER_OPEN.match(text):
        parsed = parse_markdown_resource(text, require_metadata=require_metadata)
    else:
        parsed = parse_scraped_page(text, require_metadata=require_metadata)
    check_limits(parsed, require_metadata=require_metadata)
    return parsed


# --- shared text helpers -------------------------------------------------------------

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def normalise_spaces(line: str) -> str:
    """Non-breaking and other Unicode spaces and runs of spaces become one space."""
    return _SPACES.sub(" ", _ZERO_WIDTH.sub("", line)).strip()


# Characters that would change meaning inside Markdown inline text; escaping any ASCII
# punctuation with a backslash is always valid CommonMark, so over-escaping is harmless.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>&~|])")
_LINE_START_SPECIAL = re.compile(r"^(#|\+|-|=|>)")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])")


def markdown_escape(text: str) -> str:
    """Escape plain text so that Markdown renders it as exactly that text."""
    escaped = _INLINE_SPECIAL.sub(r"\\\1", text)
    escaped = _LINE_START_SPECIAL.sub(r"\\\1", escaped)
    return _ORDERED_MARKER.sub(r"\1\\\2", escaped)


def check_limits(parsed: ParsedResource, *, require_metadata: bool = True) -> None:
    """The limits every way of storing a resource enforces (import, editor, API)."""
    if require_metadata and not parsed.title:
        raise ResourceFormatError("the resource has no title")
    texts = [parsed.title, parsed.subject, parsed.topic, parsed.exam_board, parsed.author]
    texts += [text for card in parsed.cards for text in (card.heading, card.body)]
    if any("\x00" in text for text in texts):
        # Databases (PostgreSQL) refuse NUL in text; no real note needs one.
        raise ResourceFormatError("the text contains a NUL character")
    for text in texts:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (a YAML escape such as "\ud83d") is not storable text.
            raise ResourceFormatError("the text contains an invalid character") from None
    if len(parsed.title) > MAX_TITLE_LENGTH:
        raise ResourceFormatError(
            f"title is {len(parsed.title)} characters long; the limit is {MAX_TITLE_LENGTH}"
        )
    for label, value in (("subject", parsed.subject), ("topic", parsed.topic)):
        if require_metadata and not value:
            raise ResourceFormatError(f"the resource has no {label}")
        if len(value) > MAX_NAME_LENGTH:
            raise ResourceFormatError(
                f"{label} name is {len(value)} characters long; the limit is {MAX_NAME_LENGTH}"
            )
    if len(parsed.exam_board) > MAX_EXAM_BOARD_LENGTH:
        raise ResourceFormatError(f"exam board is longer than {MAX_EXAM_BOARD_LENGTH} characters")
    if len(parsed.author) > MAX_AUTHOR_LENGTH:
        raise ResourceFormatError(f"author is longer than {MAX_AUTHOR_LENGTH} characters")
    if parsed.kind not in dict(KINDS):
        raise ResourceFormatError(
            f"unknown kind {parsed.kind!r} (expected one of: {', '.join(dict(KINDS))})"
        )
    if not parsed.cards:
        raise ResourceFormatError("the resource has no cards")
    if len(parsed.cards) > MAX_CARDS:
        raise ResourceFormatError(
            f"the resource has {len(parsed.cards)} cards; the limit is {MAX_CARDS}"
        )
    for number, card in enumerate(parsed.cards, start=1):
        if len(card.heading) > MAX_HEADING_LENGTH:
            raise ResourceFormatError(
                f"card {number}'s heading is {len(card.heading)} characters long; "
                f"the limit is {MAX_HEADING_LENGTH}"
            )
        if len(card.body) > MAX_CARD_LENGTH:
            raise ResourceFormatError(
                f"card {number} is {len(card.body):,} characters long; "
                f"the limit is {MAX_CARD_LENGTH:,}"
            )


# --- the scraped page format ---------------------------------------------------------

_CARD_MARKER = re.compile(r"^(\d+) of (\d+)$")
_BULLET = re.compile(r"^[•●▪◦‣∙·]\s*")
_SEE_ALL = re.compile(r"See all (.+?) resources\s*»")
_CHROME = (
    re.compile(r"^(Hide\s*Show|Show\s*Hide|Hide|Show) resource information$", re.IGNORECASE),
    re.compile(r"^No comments have yet been made\.?$", re.IGNORECASE),
    re.compile(r"^Similar .+ resources:?$", re.IGNORECASE),
)


def _is_chrome(line: str) -> bool:
    return any(pattern.match(line) for pattern in _CHROME)


@dataclass
class _CardBuilder:
    heading: str = ""
    blocks: list[str] = field(default_factory=list)  # Markdown lines
    has_content: bool = False

    def add_text(self, line: str) -> None:
        if not self.has_content and not self.heading:
            self.heading = line
        else:
            # A paragraph between or after bullets: a blank line keeps it out of the list.
            self.blocks.extend(["", markdown_escape(line), ""])
            self.has_content = True

    def add_bullet(self, text: str) -> None:
        if self.blocks and self.blocks[-1] == "":
            self.blocks.pop()
        self.blocks.append(f"- {markdown_escape(text)}" if text else "-")
        self.has_content = True

    @property
    def empty(self) -> bool:
        return not self.heading and not self.has_content

    def build(self) -> ParsedCard:
        body = "\n".join(self.blocks).strip("\n")
        body = re.sub(r"\n{3,}", "\n\n", body)
        return ParsedCard(heading=self.heading, body=body)


def parse_scraped_page(text: str, *, require_metadata: bool = True) -> ParsedResource:
    lines = [normalise_spaces(line) for line in _normalise_newlines(text).split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise ResourceFormatError("file is empty")
    title, body_lines = lines[0], lines[1:]
    if _CARD_MARKER.match(title) or _BULLET.match(title):
        raise ResourceFormatError("the first line must be the title, not a card marker or bullet")

    subject = topic = ""
    cards: list[ParsedCard] = []
    current = _CardBuilder()
    expected_total: int | None = None
    for line_number, line in enumerate(body_lines, start=2):
        see_all = _SEE_ALL.findall(line) if line.startswith("See all ") else []
        if see_all:
            if len(see_all) >= 2:
                subject, topic = see_all[0].strip(), see_all[1].strip()
            elif not subject:
                subject = see_all[0].strip()
            continue
        if _is_chrome(line):
            continue
        marker = _CARD_MARKER.match(line)
        if marker:
            number, total = int(marker.group(1)), int(marker.group(2))
            expected_total = expected_total or total
            if total != expected_total or number != len(cards) + 1:
                raise ResourceFormatError(
                    f"line {line_number}: card marker {line!r} is out of sequence "
                    f"(expected '{len(cards) + 1} of {expected_total}')"
                )
            if current.empty:
                raise ResourceFormatError(f"line {line_number}: card {number} is empty")
            cards.append(current.build())
            current = _CardBuilder()
            continue
        if expected_total is not None and len(cards) == expected_total:
            # After the last "M of M" marker only the page footer remains.
            continue
        bullet = _BULLET.match(line)
        if bullet:
            current.add_bullet(line[bullet.end() :].strip())
        else:
            current.add_text(line)

    if expected_total is not None and len(cards) != expected_total:
        raise ResourceFormatError(
            f"the page has {len(cards)} of its {expected_total} cards; "
            f"the '{len(cards) + 1} of {expected_total}' marker is missing"
        )
    if expected_total is None and not current.empty:
        cards.append(current.build())  # a page with one unnumbered card
    if not cards:
        raise ResourceFormatError("the resource has no cards")
    if require_metadata and (not subject or not topic):
        raise ResourceFormatError(
            "no subject or topic: the 'See all <subject> resources »See all <topic> "
            "resources »' line is missing"
        )
    return ParsedResource(
        title=title,
        subject=subject,
        topic=topic,
        cards=tuple(cards),
        source_format="scraped",
    )


# --- Markdown with YAML front matter ---------------------------------------------------

_FRONT_MATTER_OPEN = re.compile(r"\A\s*---[ \t]*\n")
_SEPARATOR = re.compile(r"^---[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^##[ \t]+(.*?)[ \t#]*$")


def _front_matter_and_body(text: str) -> tuple[str, list[str]]:
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip())
    for end in range(start + 1, len(lines)):
        if _SEPARATOR.match(lines[end]):
            return "\n".join(lines[start + 1 : end]), lines[end + 1 :]
    raise ResourceFormatError("the front-matter block is not closed by a '---' line")


def _front_matter(block: str, require_metadata: bool = True) -> dict[str, str]:
    import yaml  # here: only writing paths parse resources (reading workers do without)

    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise ResourceFormatError(f"the front matter is not valid YAML{where}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ResourceFormatError("the front matter must be 'key: value' lines")
    unknown = sorted(str(key) for key in data if key not in FRONT_MATTER_KEYS)
    if unknown:
        raise ResourceFormatError(
            f"unknown front-matter key {unknown[0]!r} (expected: {', '.join(FRONT_MATTER_KEYS)})"
        )
    values: dict[str, str] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, (dict, list, bool)):
            raise ResourceFormatError(f"front-matter {key!r} must be plain text")
        values[key] = normalise_spaces(str(value))
    missing = [key for key in REQUIRED_FRONT_MATTER_KEYS if not values.get(key)]
    if missing and require_metadata:
        raise ResourceFormatError(f"the front matter has no {missing[0]!r}")
    return values


def _split_cards(lines: list[str]) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    fence: str | None = None
    for line in lines:
        opener = _FENCE.match(line)
        if fence is None and opener:
            fence = opener.group(1)[0] * 3
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is None and _SEPARATOR.match(line):
            chunks.append([])
            continue
        chunks[-1].append(line.rstrip())
    return chunks


def parse_markdown_resource(text: str, *, require_metadata: bool = True) -> ParsedResource:
    block, body_lines = _front_matter_and_body(_normalise_newlines(text))
    meta = _front_matter(block, require_metadata)
    cards: list[ParsedCard] = []
    for chunk in _split_cards(body_lines):
        while chunk and not chunk[0].strip():
            chunk.pop(0)
        if not chunk:
            continue  # blank space between separators is not a card
        heading = ""
        match = _HEADING.match(chunk[0])
        if match:
            heading = normalise_spaces(match.group(1))
            chunk = chunk[1:]
        body = "\n".join(chunk).strip("\n")
        if not body.strip():
            raise ResourceFormatError(
                f"card {len(cards) + 1}" + (f" ({heading!r})" if heading else "") + " has no text"
            )
        cards.append(ParsedCard(heading=heading, body=body))
    return ParsedResource(
        title=meta.get("title", ""),
        subject=meta.get("subject", ""),
        topic=meta.get("topic", ""),
        cards=tuple(cards),
        level=parse_level(meta.get("level", "")),
        exam_board=meta.get("exam_board", ""),
        author=meta.get("author", ""),
        kind=meta.get("kind", "notes").lower(),
        source_format="markdown",
    )


def format_markdown_resource(resource: ParsedResource) -> str:
    """The Markdown import format for a resource; parse_markdown_resource reads it back."""
    import yaml  # here, as in _front_matter

    meta = {"title": resource.title, "subject": resource.subject, "topic": resource.topic}
    if resource.kind != "notes":
        meta["kind"] = resource.kind
    if resource.level:
        meta["level"] = level_name(resource.level)
    if resource.exam_board:
        meta["exam_board"] = resource.exam_board
    if resource.author:
        meta["author"] = resource.author
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    cards = []
    for card in resource.cards:
        heading = f"## {card.heading}\n\n" if card.heading else ""
        cards.append(f"{heading}{card.body}\n")
    return f"---\n{front}---\n" + "\n---\n\n".join(cards)
