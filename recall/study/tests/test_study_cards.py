"""python manage.py study_cards PATH_OR_SLUG [--json]"""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from recall.conftest import REFERENCE_PAGE


def test_it_prints_the_cards_of_a_file(capsys):
    call_command("study_cards", str(REFERENCE_PAGE))
    out = capsys.readouterr().out
    assert out.startswith("The Rise of Kruschev: 21 cards")
    assert "Q: Stalin died in [...]. There was a lot" in out
    assert "A: 1953" in out
    assert "Q: The Warsaw Pact: what were its key points?" in out


def test_it_prints_json(capsys):
    call_command("study_cards", str(REFERENCE_PAGE), "--json")
    data = json.loads(capsys.readouterr().out)
    pact = next(c for c in data["cards"] if c["point"].startswith("In 1955 he created"))
    assert pact["kind"] == "cloze" and pact["answer"] == "Warsaw Pact"
    assert pact["span_kind"] == "name" and pact["card"] == 3


@pytest.mark.django_db
def test_it_reads_a_slug(capsys, reference):
    call_command("study_cards", "the-rise-of-kruschev", "--json")
    assert len(json.loads(capsys.readouterr().out)["cards"]) == 21


@pytest.mark.django_db
def test_an_unknown_target_is_an_error():
    with pytest.raises(CommandError, match="no such file or resource"):
        call_command("study_cards", "no-such-thing")
