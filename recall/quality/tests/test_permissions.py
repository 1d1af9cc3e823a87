"""Only a resource's author ignores its findings or reads its check report."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from recall.lib.quality import Vocabulary, check_text
from recall.library.tests.conftest import make_resource
from recall.quality.actions import finding_ignore, finding_unignore
from recall.quality.models import IgnoredFinding

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(author):
    resource = make_resource("The Berlin Blockade")
    resource.author = author
    resource.save(update_fields=["author"])
    resource.cards.filter(position=1).update(body="- A lot of greif.")
    return resource


def fingerprint():
    return check_text([("", "- A lot of greif.")], Vocabulary())[0].fingerprint


def login(client, who, users):
    client.logout()
    if who != "anonymous":
        client.force_login(users[who])


@pytest.mark.parametrize("who", ["anonymous", "other", "moderator", "author"])
def test_only_the_author_can_ignore(client, own, author, other, moderator, who):
    login(client, who, {"author": author, "other": other, "moderator": moderator})

    response = client.post(
        f"/resources/{own.slug}/check/ignore/",
        {"fingerprint": fingerprint(), "kind": "misspelling", "text": "greif"},
    )

    if who == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    elif who == "author":
        assert (
            response.status_code == 302 and response["Location"] == f"/resources/{own.slug}/check/"
        )
    else:
        assert response.status_code == 403
    assert IgnoredFinding.objects.exists() == (who == "author")


@pytest.mark.parametrize("who", ["anonymous", "other", "moderator", "author"])
def test_only_the_author_can_unignore(client, own, author, other, moderator, who):
    finding_ignore(author, own, fingerprint(), kind="misspelling", text="greif")
    login(client, who, {"author": author, "other": other, "moderator": moderator})

    response = client.post(f"/resources/{own.slug}/check/unignore/", {"fingerprint": fingerprint()})

    assert response.status_code == {"anonymous": 302, "author": 302}.get(who, 403)
    assert IgnoredFinding.objects.exists() == (who != "author")


@pytest.mark.parametrize("who", ["anonymous", "other", "moderator"])
def test_the_editors_ignore_button_is_the_authors_only(client, own, author, other, moderator, who):
    login(client, who, {"author": author, "other": other, "moderator": moderator})

    response = client.post(
        f"/resources/{own.slug}/edit/",
        {"action": f'ignore {{"id": "{fingerprint()}", "kind": "misspelling", "text": "greif"}}'},
    )

    assert response.status_code == (302 if who == "anonymous" else 403)
    assert not IgnoredFinding.objects.exists()


def test_the_actions_check_permission_themselves(own, author, other, moderator):
    for user in (other, moderator):
        with pytest.raises(PermissionDenied):
            finding_ignore(user, own, fingerprint())
        with pytest.raises(PermissionDenied):
            finding_unignore(user, own, fingerprint())
    finding_ignore(author, own, fingerprint(), text="greif")
    finding_ignore(author, own, fingerprint(), text="greif")  # idempotent
    assert IgnoredFinding.objects.count() == 1
    assert finding_unignore(author, own, fingerprint()) is True
    assert finding_unignore(author, own, fingerprint()) is False


def test_a_bad_fingerprint_is_a_message_not_a_row(client, own, author):
    client.force_login(author)

    response = client.post(
        f"/resources/{own.slug}/check/ignore/", {"fingerprint": "<script>"}, follow=True
    )

    assert "Not a finding&#x27;s id." in response.content.decode()
    assert not IgnoredFinding.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "other", "moderator"])
def test_only_the_author_reads_the_report(client, own, author, other, moderator, who):
    login(client, who, {"author": author, "other": other, "moderator": moderator})

    response = client.get(f"/resources/{own.slug}/check/")

    assert response.status_code == (302 if who == "anonymous" else 403)


def test_the_report_lists_open_and_ignored_findings(client, own, author):
    client.force_login(author)
    url = f"/resources/{own.slug}/check/"

    html = client.get(url).content.decode()
    assert "<mark>greif</mark> → grief" in html and "1 open finding, 1 likely mistake." in html

    client.post(
        f"{url}ignore/", {"fingerprint": fingerprint(), "kind": "misspelling", "text": "greif"}
    )
    html = client.get(url).content.decode()
    assert "No open findings." in html and "<h2>Ignored</h2>" in html and "Check again" in html
