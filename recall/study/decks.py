"""Anki decks and CSV files out of study items, and flashcards resources out of decks.

The pure work (writing and reading .apkg and CSV) is recall.lib.study.anki; this module
picks what a reader may export, maps study items to notes, and imports a deck as a
flashcards resource through the library's resource_import (search and study refresh).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from recall.lib.resource_text import MAX_CARDS, MAX_TITLE_LENGTH, ParsedResource, check_limits
from recall.lib.study import anki, cloze
from recall.library.actions import resource_import
from recall.library.models import Card, Resource, Topic

from .models import StudiedResource, StudyItem

APKG, CSV = "apkg", "csv"
FORMATS = (APKG, CSV)
CONTENT_TYPES = {APKG: "application/apkg", CSV: "text/csv; charset=utf-8"}


# --- what to export ----------------------------------------------------------------------


def resources_of_topic(user: AbstractBaseUser, topic: Topic) -> list[Resource]:
    """The topic's resources this user may read, oldest first (the order decks are listed)."""
    return list(
        Resource.objects.visible_to(user)
        .filter(topic=topic)
        .select_related("subject", "topic")
        .order_by("created_at", "id")
    )


def resources_studied_by(user: AbstractBaseUser) -> list[Resource]:
    """Everything the user studies that they may still read."""
    if not user.is_authenticated:
        raise PermissionDenied("Log in to export what you study.")
    studied = StudiedResource.objects.filter(user=user).values("resource_id")
    return list(
        Resource.objects.visible_to(user)
        .filter(pk__in=studied)
        .select_related("subject", "topic")
        .order_by("created_at", "id")
    )


# --- items to notes ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Question:
    """A study item, or a question generated for a resource that has no items yet."""

    key: str
    kind: str
    prompt: str
    answer: str
    point: str
    span_kind: str
    card_position: int
    updated_at: datetime | None = None  # StudyItem.updated_at; None: generated here


def _questions(resources: Sequence[Resource]) -> dict[int, list[_Question]]:
    ids = [resource.pk for resource in resources]
    questions: dict[int, list[_Question]] = {pk: [] for pk in ids}
    items = (
        StudyItem.objects.active()
        .filter(resource_id__in=ids)
        .order_by("resource_id", "position")
        .values_list(
            "resource_id", "key", "kind", "prompt", "answer", "point", "span_kind",
            "card_position", "updated_at",
        )
    )  # fmt: skip
    for resource_id, *fields in items:
        questions[resource_id].append(_Question(*fields))
    with_items = set(
        StudyItem.objects.filter(resource_id__in=ids).values_list("resource_id", flat=True)
    )
    missing = [pk for pk in ids if pk not in with_items]
    if missing:  # saved before studying existed: generate, without writing on a download
        kinds = {resource.pk: resource.kind for resource in resources}
        pairs: dict[int, list[tuple[str, str]]] = {pk: [] for pk in missing}
        for resource_id, heading, body in (
            Card.objects.filter(resource_id__in=missing)
            .order_by("resource_id", "position")
            .values_list("resource_id", "heading", "body")
        ):
            pairs[resource_id].append((heading, body))
        for pk in missing:
            questions[pk] = [
                _question_of(card) for card in cloze.study_cards(pairs[pk], kind=kinds[pk])
            ]
    return questions


def _question_of(card: cloze.StudyCard) -> _Question:
    span_kind = card.span.kind if card.span else ""
    return _Question(
        card.key, card.kind, card.prompt, card.answer, card.point, span_kind, card.card_position
    )


def _cloze_text(question: _Question) -> str:
    """A generated cloze in Anki's syntax: its point with the hidden span as {{c1::...}}."""
    hidden, answer, point = cloze.HIDDEN, question.answer, question.point
    start = question.prompt.find(hidden)
    while start != -1:
        if (
            point[start : start + len(answer)] == answer
            and question.prompt[start + len(hidden) :] == point[start + len(answer) :]
        ):
            return f"{point[:start]}{{{{c1::{answer}}}}}{point[start + len(answer) :]}"
        start = question.prompt.find(hidden, start + 1)
    return question.prompt.replace(hidden, f"{{{{c1::{answer}}}}}", 1)


@dataclass(frozen=True)
class DeckSource:
    """What a deck needs to know of a resource (a stored one, or a file not imported)."""

    slug: str
    title: str
    subject: str
    subject_slug: str
    topic: str
    topic_slug: str
    updated_at: datetime

    @classmethod
    def of(cls, resource: Resource) -> DeckSource:
        return cls(
            resource.slug,
            resource.title,
            resource.subject.name,
            resource.subject.slug,
            resource.topic.name,
            resource.topic.slug,
            resource.updated_at,
        )


def _deck_of(
    source: DeckSource, questions: list[_Question], cards: dict[int, tuple[str, str]]
) -> anki.DeckSpec:
    tags = ("recall", f"{source.subject_slug}::{source.topic_slug}")
    notes: list[anki.DeckNote] = []
    marked_seen: set[str] = set()
    for question in questions:
        # The item's own last change: a re-import updates exactly the notes that changed.
        modified = question.updated_at or source.updated_at
        heading, body = cards.get(question.card_position, ("", ""))
        key = f"{source.slug}\x1f{question.key}"
        if question.kind == cloze.CLOZE and question.span_kind == cloze.MARKED:
            # An authored cloze: one note for all its numbers, as Anki has it.
            if question.point in marked_seen:
                continue
            marked_seen.add(question.point)
            fields = (question.point, cloze.quoted_text(body))
            notes.append(anki.DeckNote(key, anki.CLOZE, fields, modified, tags))
        elif question.kind == cloze.CLOZE:
            origin = " › ".join(part for part in (source.title, heading) if part)
            fields = (_cloze_text(question), origin)
            notes.append(anki.DeckNote(key, anki.CLOZE, fields, modified, tags))
        else:
            fields = (question.prompt, question.answer)
            notes.append(anki.DeckNote(key, anki.BASIC, fields, modified, tags))
    name = "::".join(
        anki.deck_name_part(part) for part in ("Recall", source.subject, source.topic, source.title)
    )
    return anki.DeckSpec(f"resource\x1f{source.slug}", name, tuple(notes), source.title)


def file_deck_specs(parsed: ParsedResource, updated_at: datetime) -> list[anki.DeckSpec]:
    """The deck a file in an import format would give once imported (nothing is stored)."""
    pairs = [(card.heading, card.body) for card in parsed.cards]
    source = DeckSource(
        slugify(parsed.title) or "resource",
        parsed.title,
        parsed.subject,
        slugify(parsed.subject) or "subject",
        parsed.topic,
        slugify(parsed.topic) or "topic",
        updated_at,
    )
    questions = [_question_of(card) for card in cloze.study_cards(pairs, kind=parsed.kind)]
    return [_deck_of(source, questions, dict(enumerate(pairs, start=1)))]


def deck_specs(resources: Sequence[Resource]) -> list[anki.DeckSpec]:
    """A deck per resource (the same deck whichever export it comes in), notes in order."""
    questions = _questions(resources)
    cards: dict[int, dict[int, tuple[str, str]]] = {resource.pk: {} for resource in resources}
    for resource_id, position, heading, body in Card.objects.filter(
        resource_id__in=[resource.pk for resource in resources]
    ).values_list("resource_id", "position", "heading", "body"):
        cards[resource_id][position] = (heading, body)
    return [
        _deck_of(DeckSource.of(resource), questions[resource.pk], cards[resource.pk])
        for resource in resources
    ]


def deck_bytes(resources: Sequence[Resource], file_format: str = APKG) -> bytes:
    specs = deck_specs(resources)
    return anki.csv_bytes(specs) if file_format == CSV else anki.apkg_bytes(specs)


def deck_filename(stem: str, file_format: str) -> str:
    return f"{stem}.{file_format}"


# --- a user's decks in "download your data" ----------------------------------------------


def studied_decks(user: AbstractBaseUser) -> dict[str, bytes]:
    """What the user studies as an Anki deck and as CSV (recall.operations' data zip)."""
    resources = resources_studied_by(user)
    if not resources:
        return {}
    specs = deck_specs(resources)
    return {"study_deck.apkg": anki.apkg_bytes(specs), "study_deck.csv": anki.csv_bytes(specs)}


# --- import ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeckImportResult:
    resources: list[Resource]
    cards: int
    skipped: int  # notes with nothing to ask


def _part_titles(title: str, parts: int) -> list[str]:
    if parts == 1:
        return [title]
    base = title[: MAX_TITLE_LENGTH - 12].rstrip()
    return [f"{base} ({number} of {parts})" for number in range(1, parts + 1)]


def deck_import(
    user: AbstractBaseUser,
    data: bytes,
    *,
    subject: str,
    topic: str,
    title: str = "",
    filename: str = "",
    level: str = "",
    publish: bool = False,
) -> DeckImportResult:
    """Import an Anki package or a CSV/TSV file as the user's flashcards resource(s).

    Every note becomes a card; a deck over MAX_CARDS cards is split into parts
    ("Title (2 of 3)"). All or nothing: a file that can't be read raises DeckFormatError
    (a ResourceFormatError) and writes nothing. Importing the same deck again under the
    same subject, topic and title updates the user's resource in place.
    """
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Log in to import flashcards.")
    deck = anki.read_deck_file(data)
    cards = anki.flashcard_cards(deck.notes)
    stem = PurePath(filename).stem if filename else ""
    title = " ".join((title or deck.name or stem or "Imported flashcards").split())
    chunks = [cards[start : start + MAX_CARDS] for start in range(0, len(cards), MAX_CARDS)]
    parsed = [
        ParsedResource(
            title=part_title,
            subject=subject.strip(),
            topic=topic.strip(),
            cards=tuple(chunk),
            level=level,
            kind="flashcards",
        )
        for part_title, chunk in zip(_part_titles(title, len(chunks)), chunks, strict=True)
    ]
    for part in parsed:
        check_limits(part)
    with transaction.atomic():
        resources = [
            resource_import(part, author=user, publish=publish).resource for part in parsed
        ]
    return DeckImportResult(resources, len(cards), deck.skipped)
