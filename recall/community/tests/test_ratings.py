"""Rating a resource: 1 to 5 stars, one rating per user, never one's own."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError

from recall.community.models import Rating
from recall.library.models import Resource, Status

from .conftest import HTMX, URL, dd, info

pytestmark = pytest.mark.django_db

RATE_URL = URL + "rating/"


def test_it_rates_and_shows_the_average(client, other, moderator, resource):
    client.force_login(other)
    response = client.post(RATE_URL, {"stars": "4"})
    client.force_login(moderator)
    client.post(RATE_URL, {"stars": "5"})

    assert response.status_code == 302
    assert response["Location"] == URL
    assert sorted(Rating.objects.values_list("stars", flat=True)) == [4, 5]
    html = info(client.get(URL).content.decode())
    rating = dd(html, "Rating")
    assert "4.5 out of 5" in rating and "(2 ratings)" in rating
    assert '<span class="stars" aria-hidden="true">★★★★★</span>' in rating


def test_it_says_when_there_is_no_rating(client, resource):
    assert dd(info(client.get(URL).content.decode()), "Rating") == (
        '<dd id="rating-summary">Not yet rated</dd>'
    )


def test_changing_a_rating_keeps_one_row(client, other, resource):
    client.force_login(other)

    client.post(RATE_URL, {"stars": "2"})
    client.post(RATE_URL, {"stars": "5"})

    assert list(Rating.objects.values_list("user__username", "stars")) == [("other", 5)]
    html = info(client.get(URL).content.decode())
    assert "5.0 out of 5" in dd(html, "Rating") and "(1 rating)" in dd(html, "Rating")
    assert '<input type="radio" name="stars" value="5" id="rating-stars_4" required checked>' in (
        dd(html, "Your rating")
    )


def test_the_database_allows_one_rating_per_user(other, resource):
    Rating.objects.create(resource=resource, user=other, stars=3)

    with pytest.raises(IntegrityError):
        Rating.objects.create(resource=resource, user=other, stars=4)


def test_the_database_refuses_stars_out_of_range(other, resource):
    with pytest.raises(IntegrityError):
        Rating.objects.create(resource=resource, user=other, stars=6)


def test_authors_cannot_rate_their_own(client, author, resource):
    client.force_login(author)

    html = info(client.get(URL).content.decode())
    response = client.post(RATE_URL, {"stars": "5"})

    assert "Your rating" not in html and "rating-form" not in html
    assert response.status_code == 403
    assert not Rating.objects.exists()


def test_the_form_is_an_accessible_fieldset(client, other, resource):
    client.force_login(other)

    form = dd(info(client.get(URL).content.decode()), "Your rating")

    assert '<form method="post" action="/resources/the-berlin-wall/rating/"' in form
    assert "csrfmiddlewaretoken" in form
    assert "<fieldset>" in form and "<legend>Rate this resource</legend>" in form
    assert form.count('type="radio"') == 5
    assert '<label for="rating-stars_0"><input type="radio" name="stars" value="1"' in form
    assert "1 star</label>" in form and "5 stars</label>" in form
    assert '<button type="submit"' in form


def test_anonymous_readers_are_asked_to_log_in(client, resource):
    your_rating = dd(info(client.get(URL).content.decode()), "Your rating")

    assert 'href="/accounts/login/?next=/resources/the-berlin-wall/"' in your_rating
    assert "Log in to rate" in your_rating


@pytest.mark.parametrize("stars", ["0", "6", "x", "", "4.5"])
def test_invalid_stars_are_a_form_error(client, other, resource, stars):
    client.force_login(other)

    response = client.post(RATE_URL, {"stars": stars})

    assert response.status_code == 422
    assert 'class="errorlist"' in response.content.decode()
    assert not Rating.objects.exists()


def test_drafts_cannot_be_rated(client, other, resource):
    Resource.objects.filter(pk=resource.pk).update(status=Status.DRAFT)
    client.force_login(other)

    assert client.post(RATE_URL, {"stars": "3"}).status_code == 404
    assert not Rating.objects.exists()


def test_htmx_swaps_the_form_and_the_summary(client, other, resource):
    Rating.objects.create(
        resource=resource, user=get_user_model().objects.create_user("x"), stars=1
    )
    client.force_login(other)

    response = client.post(RATE_URL, {"stars": "3"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<dd id="your-rating">')
    assert "Your rating of 3 out of 5 is saved." in html
    assert '<dd id="rating-summary" hx-swap-oob="true">' in html
    assert "2.0 out of 5" in html and "(2 ratings)" in html


def test_rating_is_post_only(client, other, resource):
    client.force_login(other)

    assert client.get(RATE_URL).status_code == 405
