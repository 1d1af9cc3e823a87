from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from recall.lib.resource_text import ParsedCard, ParsedResource, parse_resource_text
from recall.library.actions import resource_import
from recall.library.models import Resource


def make_resource(
    title: str,
    subject: str = "History",
    topic: str = "The Cold War",
    cards: int = 2,
    age_days: int = 0,
    **fields,
) -> Resource:
    parsed = ParsedResource(
        title=title,
        subject=subject,
        topic=topic,
        cards=tuple(
            ParsedCard(heading=f"Part {n}", body=f"- Point {n} of {title}.")
            for n in range(1, cards + 1)
        ),
        **fields,
    )
    resource = resource_import(parsed, default_author="recall").resource
    if age_days:
        created = timezone.now() - timedelta(days=age_days)
        Resource.objects.filter(pk=resource.pk).update(created_at=created, updated_at=created)
        resource.refresh_from_db()
    return resource


@pytest.fixture
def reference(reference_text) -> Resource:
    return resource_import(parse_resource_text(reference_text), default_author="recall").resource


@pytest.fixture
def library(reference) -> dict[str, Resource]:
    """The reference page among resources of the same topic, subject and another subject."""
    return {
        "reference": reference,
        "blockade": make_resource("The Berlin Blockade", age_days=3, level="gcse"),
        "cuba": make_resource("The Cuban Missile Crisis", age_days=1, level="a-level"),
        "weimar": make_resource("The Weimar Republic", topic="Nazi Germany", age_days=2),
        "cells": make_resource("Animal Cells", subject="Biology", topic="Cells", age_days=5),
    }
