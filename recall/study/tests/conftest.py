from __future__ import annotations

import pytest

from recall.library.tests.conftest import library, make_resource, reference  # noqa: F401

HTMX = {"HX-Request": "true", "HX-Target": "review"}


@pytest.fixture
def studying(other, reference):  # noqa: F811
    """`other` studies the reference page (19 clozes, 2 heading cards)."""
    from recall.study.actions import study_resource_add

    study_resource_add(other, reference)
    return reference
