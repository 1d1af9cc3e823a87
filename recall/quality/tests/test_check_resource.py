"""python manage.py check_resource: a table, --json, and the exit status."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from recall.conftest import DEMO_DIR, REFERENCE_PAGE
from recall.lib.resource_text import parse_resource_text
from recall.library.actions import resource_import

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    try:
        call_command("check_resource", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_it_prints_the_reference_pages_mistakes_as_a_table():
    out, error = run(str(REFERENCE_PAGE))

    lines = out.splitlines()
    assert "The Rise of Kruschev" in lines[0]
    assert lines[1].split() == ["where", "at", "text", "kind", "confidence", "suggestions"]
    assert any(
        line.split()[:6] == ["card", "1", "190-195", "greif", "misspelling", "high"]
        for line in lines
    )
    assert any("allowance" in line and "real-word" in line and "alliance" in line for line in lines)
    assert "15 finding(s), 12 high confidence" in out
    assert error.returncode == 1 and "12 high-confidence findings" in str(error)


def test_json_for_machines():
    out, error = run(str(REFERENCE_PAGE), "--json")

    (report,) = json.loads(out)
    assert report["target"] == str(REFERENCE_PAGE) and report["high_confidence"] == 12
    greif = next(f for f in report["findings"] if f["text"] == "greif")
    assert greif == greif | {
        "card": 0,
        "field": "body",
        "start": 190,
        "end": 195,
        "kind": "misspelling",
        "confidence": "high",
    }
    assert greif["suggestions"][0] == "grief" and len(greif["id"]) == 20
    assert error.returncode == 1


def test_a_clean_resource_by_slug_exits_zero(author):
    parsed = parse_resource_text((DEMO_DIR / "the-cuban-missile-crisis.md").read_text())
    resource = resource_import(parsed, default_author="recall").resource

    out, error = run(resource.slug)

    assert error is None
    assert "The Cuban Missile Crisis" in out and "no findings" in out


def test_a_saved_resource_leaves_out_what_its_author_ignored(author):
    from recall.quality.actions import finding_ignore
    from recall.quality.checking import check_resource

    resource = resource_import(
        parse_resource_text(REFERENCE_PAGE.read_text()), default_author="author"
    ).resource
    for finding in check_resource(resource).high:
        finding_ignore(author, resource, finding.fingerprint)

    out, error = run(resource.slug)

    assert error is None and "0 high confidence" in out and "ignored" in out


@pytest.mark.parametrize("target", ["no-such-slug", "/no/such/file.md"])
def test_an_unknown_target_exits_two(target):
    _, error = run(target)

    assert error.returncode == 2 and "no such file or resource slug" in str(error)


def test_an_unreadable_file_exits_two(write_file):
    _, error = run(str(write_file("empty.md", "   ")))

    assert error.returncode == 2 and "file is empty" in str(error)


def test_the_exit_status_reaches_the_shell(tmp_path):
    env = {"RECALL_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    manage = str(settings.BASE_DIR / "manage.py")
    subprocess.run([sys.executable, manage, "migrate", "-v0"], env=env, check=True)  # noqa: S603

    result = subprocess.run(  # noqa: S603
        [sys.executable, manage, "check_resource", str(REFERENCE_PAGE), "--json"],
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert json.loads(result.stdout)[0]["high_confidence"] == 12
