"""Posting, replying to, editing and deleting comments, with and without htmx."""

from __future__ import annotations

import pytest
from django.utils import timezone

from recall.community.models import MAX_COMMENT_LENGTH, Comment
from recall.library.models import Resource, Status
from recall.library.tests.conftest import make_resource

from .conftest import COMMENTS_URL, HTMX, URL, add_comment, dd, info, section

pytestmark = pytest.mark.django_db


def test_it_says_so_when_there_are_no_comments(client, other, resource):
    client.force_login(other)

    html = client.get(URL).content.decode()

    assert "No comments have yet been made" in section(html)
    assert dd(info(html), "Comments") == "<dd>0</dd>"


def test_it_asks_anonymous_readers_to_log_in(client, resource):
    html = section(client.get(URL).content.decode())

    assert '<a href="/accounts/login/?next=/resources/the-berlin-wall/%23comments">' in html
    assert "Log in to comment" in html
    assert "<textarea" not in html and "<form" not in html


def test_it_posts_a_comment_and_goes_back_to_it(client, other, resource):
    client.force_login(other)

    response = client.post(COMMENTS_URL, {"body": "Thanks, **very** clear."})

    comment = Comment.objects.get()
    assert (comment.author, comment.resource, comment.parent) == (other, resource, None)
    assert comment.body == "Thanks, **very** clear."
    assert comment.body_html == "<p>Thanks, <strong>very</strong> clear.</p>\n"
    assert response.status_code == 302
    assert response["Location"] == f"{URL}#comment-{comment.pk}"
    html = client.get(URL).content.decode()
    assert "Your comment is posted." in html
    assert "<p>Thanks, <strong>very</strong> clear.</p>" in section(html)
    assert "No comments have yet been made" not in html
    assert dd(info(html), "Comments") == "<dd>1</dd>"


def test_the_form_is_accessible(client, other, resource):
    client.force_login(other)

    html = section(client.get(URL).content.decode())

    assert '<h2 id="comments-heading">Comments</h2>' in html
    assert '<label for="comment-body">Add a comment</label>' in html
    assert 'id="comment-body"' in html and 'aria-describedby="comment-body_helptext"' in html
    assert 'maxlength="5000"' in html
    assert html.count('<input type="hidden" name="csrfmiddlewaretoken"') == html.count("<form")
    assert 'method="post"' in html and 'hx-post="/resources/the-berlin-wall/comments/"' in html
    assert "<h3" not in html and "<h1" not in html


def test_it_renders_only_the_comment_markdown_subset(client, other, resource):
    client.force_login(other)

    client.post(
        COMMENTS_URL,
        {"body": "# Big\n\n![x](https://example.org/x.png)\n\n| a |\n|---|\n| 1 |\n\n<b>hi</b>"},
    )

    stored = Comment.objects.get().body_html
    for tag in ("<h1", "<img", "<table", "<b>"):
        assert tag not in stored
    assert "<p># Big</p>" in stored and "&lt;b&gt;hi&lt;/b&gt;" in stored


def test_it_replies_in_one_level(client, author, other, resource, comment):
    client.force_login(other)

    client.post(COMMENTS_URL, {"body": "A reply.", "parent": comment.pk})
    reply = Comment.objects.get(body="A reply.")
    client.force_login(author)
    client.post(COMMENTS_URL, {"body": "A reply to the reply.", "parent": reply.pk})

    second = Comment.objects.get(body="A reply to the reply.")
    assert reply.parent == comment
    assert second.parent == comment  # joins the top-level comment's thread
    html = section(client.get(URL).content.decode())
    replies = html[html.index('class="comment-replies"') :]
    assert replies.index("A reply.") < replies.index("A reply to the reply.")
    assert html.count('class="comment-replies"') == 1
    assert f'name="parent" value="{comment.pk}"' in html
    assert f'name="parent" value="{reply.pk}"' not in html


def test_it_refuses_a_reply_to_a_comment_on_another_resource(client, other, resource, comment):
    second = make_resource("The Space Race")
    client.force_login(other)

    response = client.post(
        f"/resources/{second.slug}/comments/", {"body": "x", "parent": comment.pk}
    )

    assert response.status_code == 422
    assert "The comment you replied to has been deleted." in response.content.decode()
    assert Comment.objects.count() == 1


def test_it_edits_a_comment(client, author, resource, comment):
    client.force_login(author)

    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Changed *mind*."})

    comment.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"{URL}#comment-{comment.pk}"
    assert comment.body == "Changed *mind*."
    assert comment.body_html == "<p>Changed <em>mind</em>.</p>\n"
    assert comment.is_edited
    assert "(edited)" in section(client.get(URL).content.decode())


def test_the_edit_page_works_without_javascript(client, author, comment):
    client.force_login(author)

    response = client.get(f"/comments/{comment.pk}/edit/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Edit your comment</h1>" in html
    assert "The dates on card 2 are worth learning." in html


def test_it_deletes_a_comment_and_its_replies(client, author, other, resource, comment):
    add_comment(resource, other, "A reply.", parent=comment)
    client.force_login(author)

    response = client.post(f"/comments/{comment.pk}/delete/")

    assert response.status_code == 302
    assert response["Location"] == f"{URL}#comments"
    assert not Comment.objects.exists()


def test_it_deletes_a_reply_alone(client, author, other, resource, comment):
    reply = add_comment(resource, other, "A reply.", parent=comment)
    client.force_login(other)

    client.post(f"/comments/{reply.pk}/delete/")

    assert list(Comment.objects.all()) == [comment]


def test_delete_is_post_only(client, author, comment):
    client.force_login(author)

    assert client.get(f"/comments/{comment.pk}/delete/").status_code == 405
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_a_comment_over_the_limit_is_a_form_error(client, other, resource):
    client.force_login(other)

    response = client.post(COMMENTS_URL, {"body": "x" * (MAX_COMMENT_LENGTH + 1)})

    html = response.content.decode()
    assert response.status_code == 422
    assert "Ensure this value has at most 5000 characters (it has 5001)." in html
    assert 'aria-invalid="true"' in html and 'id="comment-body_error"' in html
    assert not Comment.objects.exists()


def test_a_comment_at_the_limit_is_saved(client, other, resource):
    client.force_login(other)

    # Browsers count a line break as one character for maxlength but send two.
    body = ("x" * 99 + "\r\n") * 50

    response = client.post(COMMENTS_URL, {"body": body})

    assert response.status_code == 302
    assert len(Comment.objects.get().body) == 4999  # stripped of the final line break


def test_an_edit_over_the_limit_is_a_form_error(client, author, comment):
    client.force_login(author)

    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "y" * 5001})

    assert response.status_code == 422
    assert "at most 5000 characters" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "The dates on card 2 are worth learning."


def test_an_empty_comment_is_a_form_error(client, other, resource):
    client.force_login(other)

    response = client.post(COMMENTS_URL, {"body": "   \n "})

    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not Comment.objects.exists()


def test_htmx_gets_the_section_back(client, other, resource):
    client.force_login(other)

    response = client.post(COMMENTS_URL, {"body": "Via htmx."}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="comments" id="comments"')
    assert "<html" not in html
    assert "Via htmx." in html and "Your comment is posted." in html
    assert Comment.objects.count() == 1


def test_htmx_gets_errors_in_place(client, other, resource, comment):
    client.force_login(other)

    response = client.post(COMMENTS_URL, {"body": "z" * 5001, "parent": comment.pk}, headers=HTMX)

    html = response.content.decode()
    # htmx swaps only 2xx responses, so the errors come back as a 200.
    assert response.status_code == 200
    assert "<html" not in html
    reply_form = html[html.index('<details class="comment-reply" open>') :]
    assert f'id="reply-{comment.pk}-body_error"' in reply_form
    assert "z" * 5001 in reply_form  # what was typed is kept
    assert Comment.objects.count() == 1


def test_htmx_edit_and_delete_return_the_section(client, author, resource, comment):
    client.force_login(author)

    edited = client.post(f"/comments/{comment.pk}/edit/", {"body": "New text"}, headers=HTMX)
    deleted = client.post(f"/comments/{comment.pk}/delete/", headers=HTMX)

    assert "<p>New text</p>" in edited.content.decode()
    assert "No comments have yet been made" in deleted.content.decode()
    assert "Your comment is deleted." in deleted.content.decode()


def test_the_reply_page_works_without_javascript(client, other, resource, comment):
    client.force_login(other)

    response = client.get(COMMENTS_URL, {"parent": comment.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Reply to a comment</h1>" in html
    assert f'name="parent" value="{comment.pk}"' in html


def test_drafts_take_no_comments(client, author, resource):
    Resource.objects.filter(pk=resource.pk).update(status=Status.DRAFT)
    client.force_login(author)

    page = client.get(URL).content.decode()
    response = client.post(COMMENTS_URL, {"body": "On my draft"})

    assert "Comments open once the resource is published." in section(page)
    assert "<textarea" not in section(page)
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_comments_on_an_unseen_resource_are_not_found(client, other, resource):
    Resource.objects.filter(pk=resource.pk).update(status=Status.DRAFT)
    client.force_login(other)

    assert client.post(COMMENTS_URL, {"body": "Hello"}).status_code == 404
    assert not Comment.objects.exists()


def test_it_marks_the_resource_author_and_links_profiles(client, other, resource, comment):
    html = section(client.get(URL).content.decode())

    assert (
        '<a class="comment-author" href="/users/author/">author</a> <span class="tag">Author</span>'
        in html
    )


def test_edits_keep_the_creation_time(client, author, comment):
    created = comment.created_at
    client.force_login(author)

    client.post(f"/comments/{comment.pk}/edit/", {"body": "Again"})

    comment.refresh_from_db()
    assert comment.created_at == created
    assert comment.updated_at > created
    assert comment.updated_at <= timezone.now()
