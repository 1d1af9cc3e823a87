"""What each worker remembers for a logged-in reader's page: reversed URLs and static
files' URLs ({% url %}, {% static %}, get_absolute_url), and the empty forms of
{% same_html %} with the request's own CSRF token put in. The page is the same, byte for
byte but for the tokens, and every token still works."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import NoReverseMatch, reverse

from recall.community.models import Rating
from recall.library.reversing import cached_reverse
from recall.library.templatetags import shared_html

pytestmark = pytest.mark.django_db

URL = "/resources/the-rise-of-kruschev/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="(\w{64})"')


@pytest.fixture(autouse=True)
def _forget():
    shared_html._SAME_HTML.clear()


def without_tokens(html: str) -> str:
    return re.sub(r"\b\w{64}\b", "TOKEN", html)


def test_url_and_static_are_djangos_own():
    html = Template(
        "{% url 'library:resource' 'a-slug' %}|{% url 'library:home' as home %}{{ home }}|"
        "{% static 'recall/css/site.css' %}"
    ).render(Context())

    assert html == (
        f"{reverse('library:resource', args=['a-slug'])}|{reverse('library:home')}|"
        "/static/recall/css/site.css"
    )
    with pytest.raises(NoReverseMatch):
        Template("{% url 'library:no-such-page' %}").render(Context())
    with pytest.raises(NoReverseMatch):
        cached_reverse("library:resource", ["not a slug!"])


def test_cached_reverse_tells_arguments_of_other_types_apart():
    assert cached_reverse("library:resource", ["1"]) == reverse("library:resource", args=["1"])
    assert cached_reverse("accounts:profile", ["True"]) == "/users/True/"
    assert cached_reverse("accounts:profile", kwargs={"username": "x"}) == "/users/x/"
    assert cached_reverse("accounts:profile", [["a list"]]) == "/users/%5B'a%20list'%5D/"


def test_a_logged_in_page_from_the_workers_memory_is_the_same_page(library, other):
    client = Client()
    client.force_login(other)
    first = client.get(URL).content.decode()
    assert shared_html._SAME_HTML  # the empty forms were remembered
    second = client.get(URL).content.decode()

    assert without_tokens(second) == without_tokens(first)
    assert "Log out" in second and ">other<" in second and "Add a comment" in second
    assert shared_html._TOKEN_STAND_IN not in second
    tokens = TOKEN.findall(second)
    assert len(tokens) >= 4 and len(set(tokens)) == 1  # the request's own token, everywhere


def test_the_tokens_it_puts_in_are_accepted(library, other):
    client = Client(enforce_csrf_checks=True)
    client.force_login(other)
    client.get(URL)
    token = TOKEN.findall(client.get(URL).content.decode())[-1]

    response = client.post(
        "/resources/the-rise-of-kruschev/rating/", {"stars": "4", "csrfmiddlewaretoken": token}
    )

    assert response.status_code in (200, 302)
    assert Rating.objects.get(user=other).stars == 4


def test_each_reader_gets_their_own_header_and_rating(library, other, moderator):
    Rating.objects.create(user=other, resource=library["reference"], stars=5)
    pages = {}
    for user in (other, moderator, other):
        client = Client()
        client.force_login(user)
        pages.setdefault(user.username, []).append(client.get(URL).content.decode())

    assert ">other<" in pages["other"][1] and ">mod<" not in pages["other"][1]
    assert ">mod<" in pages["mod"][0] and "Moderation</a>" in pages["mod"][0]
    assert "Moderation</a>" not in pages["other"][1]
    assert 'value="5" id="rating-stars_4" required checked' in pages["other"][1]
    assert "checked" not in pages["mod"][0].split('id="your-rating"')[1].split("</dd>")[0]


def test_a_form_with_errors_is_rendered_as_it_stands(library, other):
    client = Client()
    client.force_login(other)
    client.get(URL)

    response = client.post(
        "/resources/the-rise-of-kruschev/comments/", {"body": ""}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "errorlist" in html
    assert shared_html._TOKEN_STAND_IN not in html


def test_without_a_token_it_renders_as_it_stands():
    html = Template(
        "{% load shared_html %}{% same_html 'part' 1 if True %}[{% csrf_token %}]{% endsame_html %}"
    ).render(Context())

    assert html == "[]"
    assert not shared_html._SAME_HTML
