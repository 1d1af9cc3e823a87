"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from playwright.sync_api import sync_playwright

from recall.accounts.roles import MODERATORS_GROUP
from recall.api import admission
from recall.search.service import forget_vocabulary

# The reference page and third-party test data live beside the repository, not in it.
SHARED = Path(os.environ.get("RECALL_SHARED_DIR", settings.BASE_DIR.parent / "shared"))
REFERENCE_PAGE = SHARED / "seeds" / "000_0f10dd67f1622df6.txt"
DEMO_DIR = settings.BASE_DIR / "demo"


def pytest_sessionstart(session: pytest.Session) -> None:
    if not REFERENCE_PAGE.exists():
        raise pytest.UsageError(
            f"{REFERENCE_PAGE} is missing: the tests read shared/ from beside the "
            "repository (set RECALL_SHARED_DIR to use another place)."
        )


@pytest.fixture(autouse=True)
def _test_settings(settings, monkeypatch) -> None:
    # Tests render templates without a collected, hashed STATIC_ROOT.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Rate limits count in the cache: each test starts with an empty one of its own.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    # The search vocabulary is cached per process: each test builds it from its own data.
    forget_vocabulary()
    # The API prunes its rate counts on one request in a thousand, by chance: never in
    # tests, whose query counts would fail once in a while (test_rate_limits turns it on).
    monkeypatch.setattr(admission, "PRUNE_EVERY", 0)


@pytest.fixture(scope="session")
def reference_text() -> str:
    return REFERENCE_PAGE.read_text(encoding="utf-8")


@pytest.fixture
def write_file(tmp_path: Path):
    """Write text or bytes to a file under tmp_path and return its path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


MARKDOWN_RESOURCE = """---
title: The Berlin Wall
subject: History
topic: The Cold War
level: GCSE
exam_board: AQA
author: teacher
---
## Why it was built

- Between 1949 and 1961 about 2.7 million people fled East Germany through Berlin.
- On 13 August 1961 East German troops sealed the border with barbed wire.

---

## What it meant

- The wall became a symbol of the Cold War.
- Kennedy visited West Berlin in June 1963.
"""


@pytest.fixture
def markdown_resource() -> str:
    return MARKDOWN_RESOURCE


@pytest.fixture
def author(db):
    """Owns the resources a test makes with the `library` fixture's helpers."""
    return get_user_model().objects.create_user("author", "author@example.org", "pw-author-1")


@pytest.fixture
def other(db):
    """A logged-in user with no rights over the author's content."""
    return get_user_model().objects.create_user("other", "other@example.org", "pw-other-1")


@pytest.fixture
def moderator(db):
    user = get_user_model().objects.create_user("mod", "mod@example.org", "pw-mod-1")
    # get_or_create: a transactional test before this one may have emptied the tables.
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


# --- browser tests -------------------------------------------------------------------------

CHROMIUM = os.environ.get("RECALL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run scripts/install-test-deps (make test does)."
        )
    # Playwright's sync API runs an event loop in this thread; the ORM calls the fixtures
    # make meanwhile are ordinary blocking calls, which Django would otherwise refuse.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
