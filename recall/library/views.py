"""Browse subjects and topics, read a resource card by card. Thin: query, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, FilteredRelation, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from recall.accounts.roles import is_moderator, moderator_annotation, remember_moderator
from recall.community.sections import read_reader_parts, stats_annotations
from recall.lib.rendering import render_markdown
from recall.lib.resource_text import (
    MAX_CARD_LENGTH,
    ParsedResource,
    ResourceFormatError,
    parse_resource_text,
)
from recall.lib.revisions import revision_diff
from recall.library.templatetags.shared_html import fragment_name
from recall.operations.page_cache import prefetch, while_unchanged
from recall.quality.editor import ACCEPT as QUALITY_ACCEPT
from recall.quality.editor import IGNORE as QUALITY_IGNORE
from recall.quality.editor import (
    build_panel,
    editor_action,
    publish_blockers,
    save_session_ignores,
)
from recall.search.similar import similar_resources

from .actions import (
    EditConflict,
    resource_delete,
    resource_record_view,
    resource_restore,
    resource_save,
)
from .forms import CardFormSet, PasteForm, ResourceForm, resource_content
from .models import Card, Resource, Revision, Status, Subject, Topic
from .pagination import page_or_404

SIMILAR_COUNT = 5
# Resource rows that browse pages count: the visible ones (see models.VISIBLE).
_VISIBLE_RESOURCES = Q(
    resources__status=Status.PUBLISHED,
    resources__is_hidden=False,
    resources__topic__is_approved=True,
)
RECENT_COUNT = 10


def _card_number(request: HttpRequest) -> int:
    raw = request.GET.get("card", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        raise Http404("No such card.")
    return int(raw)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # The lists are read lazily: the template shows them from a fragment rendered once per
    # change of content ({% shared %}), so that a stored one costs no query.
    # Counting every visible resource is a scan: once per change of content (page_cache).
    subjects = SimpleLazyObject(
        lambda: while_unchanged(
            "home-subjects",
            lambda: list(
                Subject.objects.filter(is_approved=True)
                .annotate(resource_count=Count("resources", filter=_VISIBLE_RESOURCES))
                .filter(resource_count__gt=0)
            ),
        )
    )
    recent = Resource.objects.for_listing().visible().recent()[:RECENT_COUNT]
    return render(request, "library/home.html", {"subjects": subjects, "recent": recent})


@require_safe
def subject_detail(request: HttpRequest, subject_slug: str) -> HttpResponse:
    subject = get_object_or_404(Subject, slug=subject_slug, is_approved=True)
    topics = SimpleLazyObject(
        lambda: while_unchanged(
            f"subject-topics-{subject.pk}",
            lambda: list(
                subject.topics.filter(is_approved=True)
                .annotate(resource_count=Count("resources", filter=_VISIBLE_RESOURCES))
                .filter(resource_count__gt=0)
            ),
        )
    )
    resources = Resource.objects.for_listing().visible().filter(subject=subject).recent()
    # Lazy as on the home page; a page that doesn't exist is a 404 when first read.
    page = SimpleLazyObject(lambda: page_or_404(request, resources))
    return render(
        request,
        "library/subject.html",
        {"subject": subject, "topics": topics, "page": page},
    )


@require_safe
def topic_detail(request: HttpRequest, subject_slug: str, topic_slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.approved(), subject__slug=subject_slug, slug=topic_slug)
    resources = Resource.objects.for_listing().visible().filter(topic=topic).recent()
    page = SimpleLazyObject(lambda: page_or_404(request, resources))  # as subject_detail
    # The page's shared fragments and its resource count (whether a logged-in reader may
    # study the topic) in one cache call.
    count_name = f"topic-count-{topic.pk}"
    fragments = [
        fragment_name("topic", topic.pk, request.GET.get("page", "")),
        fragment_name("topic-footer", topic.pk),
    ]
    prefetch(request, [count_name], fragments)
    count = SimpleLazyObject(
        lambda: while_unchanged(count_name, lambda: page.paginator.count, request)
    )
    return render(
        request, "library/topic.html", {"topic": topic, "page": page, "resource_count": count}
    )


def _resource(request: HttpRequest, slug: str) -> Resource:
    """The resource if this user may see it: drafts for their author, hidden for moderators."""
    return get_object_or_404(Resource.objects.for_listing().visible_to(request.user), slug=slug)


def _resource_context(request: HttpRequest, resource: Resource) -> dict:
    if resource.is_visible:
        resource_record_view(resource, request.session)
        # A page served from the page cache counts its view too (recall.operations.page_cache).
        request.page_cache_resource = resource.pk
    return {
        "resource": resource,
        "can_edit": resource.can_edit(request.user),
        # Lazy: the similar list is a fragment shared by every reader ({% shared %}).
        "similar": SimpleLazyObject(lambda: similar_resources(resource, SIMILAR_COUNT)),
    }


def _resource_and_card(request: HttpRequest, slug: str, number: int) -> tuple[Resource, Card]:
    """The resource with the card asked for, the community statistics and whether the
    reader moderates; a 404 unless this user may see it.

    A resource everyone may see is read once per change of content for every reader
    (what an anonymous reader is shown, with the shared fragments of its page, in one
    cache call; resource_detail adds a logged-in reader's own part). Others (a draft for
    its author, a hidden one for moderators) are read for the reader, in one query."""
    user = request.user
    resource = None
    if settings.RECALL_PAGE_CACHE_SECONDS:  # else everything is read afresh
        shared = f"resource-page:{slug}:{number}"
        prefetch(request, [shared], [fragment_name(name, slug) for name in SHARED_FRAGMENTS])
        resource = while_unchanged(
            shared,
            lambda: _public_resource_row(slug, number),
            request,
            keep=lambda found: found is not None and found.card_here_pk is not None,
        )
    if resource is None:
        resource = _resource_row(user, slug, number)
        if resource is not None:
            remember_moderator(user, resource)
    if resource is None or not resource.is_visible_to(user):
        raise Http404("No such resource.")
    if resource.card_here_pk is None or not 1 <= number <= resource.card_count:
        raise Http404("No such card.")
    card = Card(
        pk=resource.card_here_pk,
        resource=resource,
        position=number,
        heading=resource.card_here_heading,
        body_html=resource.card_here_body_html,
    )
    return resource, card


# The {% shared %} fragments of a resource page, by its slug: in library/_resource_info.html
# and library/_resource_footer.html.
SHARED_FRAGMENTS = ("resource-info", "resource-footer")


def _resource_row(user, slug: str, number: int) -> Resource | None:
    """The resource with the card asked for, the statistics and the moderator flag, in
    one query (not yet checked for being visible to user)."""
    return (
        Resource.objects.for_listing()
        .filter(slug=slug)
        .annotate(
            card_here=FilteredRelation("cards", condition=Q(cards__position=number)),
            card_here_pk=F("card_here__pk"),
            card_here_heading=F("card_here__heading"),
            card_here_body_html=F("card_here__body_html"),
            **stats_annotations(user),
            **moderator_annotation(user),
        )
        .first()
    )


def _public_resource_row(slug: str, number: int) -> Resource | None:
    """_resource_row as an anonymous reader gets it, if everyone may see it: kept in the
    cache, so without the author's password hash and address."""
    resource = _resource_row(AnonymousUser(), slug, number)
    if resource is None or not resource.is_visible:
        return None
    resource.author.password = resource.author.email = ""
    resource.is_shared_row = True  # resource_detail adds a logged-in reader's own part
    return resource


@require_safe
def resource_detail(request: HttpRequest, slug: str) -> HttpResponse:
    number = _card_number(request)
    resource, card = _resource_and_card(request, slug, number)
    context = {"resource": resource, "card": card}
    if request.htmx and request.htmx.target == "card":
        # Paging with htmx swaps the card alone: the rest of the page stays.
        return render(request, "library/_card.html", context)
    if request.user.is_authenticated and getattr(resource, "is_shared_row", False):
        # Their rating, whether they moderate and the comments they see (at most two queries).
        read_reader_parts(request.user, resource)
    context.update(_resource_context(request, resource))
    return render(request, "library/resource.html", context)


@require_safe
def resource_all_cards(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _resource(request, slug)
    context = _resource_context(request, resource)
    context["cards"] = resource.cards.all()
    return render(request, "library/resource_all_cards.html", context)


# --- the editor ------------------------------------------------------------------------


def _editor_choices() -> dict:
    return {
        "subject_names": Subject.objects.filter(is_approved=True).values_list("name", flat=True),
        "topic_names": Topic.objects.filter(is_approved=True)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct(),
    }


def _initial_from(content: ParsedResource, version: int | None = None) -> tuple[dict, list]:
    fields = {
        "title": content.title,
        "subject": content.subject,
        "topic": content.topic,
        "kind": content.kind,
        "level": content.level,
        "exam_board": content.exam_board,
        "version": version,
    }
    return fields, [{"heading": c.heading, "body": c.body} for c in content.cards]


def _unbound_editor(fields: dict, cards: list[dict], blank_cards: int = 0) -> tuple:
    cards = cards + [{"heading": "", "body": ""}] * blank_cards
    formset = CardFormSet(prefix="cards", initial=cards or [{"heading": "", "body": ""}])
    formset.extra = 0
    return ResourceForm(initial=fields), formset


def _raw_editor_state(request: HttpRequest) -> tuple[dict, list[dict]]:
    """What the author typed, unvalidated, in page order, for re-showing the form."""
    post = request.POST
    fields = {name: post.get(name, "") for name in ResourceForm.base_fields}
    try:
        total = min(int(post.get("cards-TOTAL_FORMS", 0)), CardFormSet.absolute_max)
    except ValueError:
        total = 0
    cards = []
    for i in range(total):
        if post.get(f"cards-{i}-DELETE"):
            continue
        heading, body = post.get(f"cards-{i}-heading", ""), post.get(f"cards-{i}-body", "")
        order = post.get(f"cards-{i}-ORDER", "")
        key = (0, int(order)) if order.isdigit() else (1, 0)
        cards.append((key, i, {"heading": heading, "body": body}))
    return fields, [card for _, _, card in sorted(cards, key=lambda c: (c[0], c[1]))]


def _render_editor(request: HttpRequest, resource: Resource | None, form, cards, **extra):
    context = {
        "resource": resource,
        "form": form,
        "cards": cards,
        "paste_form": extra.pop("paste_form", None) or PasteForm(),
        **_editor_choices(),
        **extra,
    }
    return render(request, "library/editor.html", context, status=extra.get("status", 200))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def resource_create(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def resource_edit(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource.objects.select_related("subject", "topic"), slug=slug)
    if not resource.can_edit(request.user):
        raise PermissionDenied
    return _editor(request, resource)


def _editor(request: HttpRequest, resource: Resource | None) -> HttpResponse:
    if request.method != "POST":
        if resource is None:
            form, cards = _unbound_editor({"version": None}, [])
        else:
            revision = resource.revisions.first()
            content = (
                ParsedResource.from_dict(revision.content)
                if revision
                else ParsedResource(resource.title, resource.subject.name, resource.topic.name, ())
            )
            form, cards = _unbound_editor(*_initial_from(content, resource.version))
            if request.GET.get("check"):  # quality checks: open the Check panel
                quality = build_panel(resource, *_initial_from(content), [])
                return _render_editor(request, resource, form, cards, quality=quality)
        return _render_editor(request, resource, form, cards)

    action = request.POST.get("action", "save")
    # --- quality checks (recall.quality.editor): check, accept a fix, ignore a finding ---
    if action == "check" or action.startswith((QUALITY_ACCEPT, QUALITY_IGNORE)):
        fields, raw_cards = _raw_editor_state(request)
        quality = editor_action(request, resource, action, fields, raw_cards)
        form, cards = _unbound_editor(fields, raw_cards)
        return _render_editor(request, resource, form, cards, quality=quality)
    publish_confirmed = action == "publish_anyway"
    if publish_confirmed:
        action = "publish"
    # --- end of quality checks ---
    if action == "add_card":
        form, cards = _unbound_editor(*_raw_editor_state(request), blank_cards=1)
        return _render_editor(request, resource, form, cards, focus_last=True)
    if action == "split":
        return _split_pasted_notes(request, resource)

    form = ResourceForm(request.POST)
    cards = CardFormSet(request.POST, prefix="cards")
    valid = form.is_valid() and cards.is_valid()
    if action == "preview" or not valid:
        preview = [render_markdown(card.body) for card in cards.cards()] if cards.is_valid() else []
        status = 200 if action == "preview" else 422
        return _render_editor(request, resource, form, cards, preview=preview, status=status)

    publish = {"publish": True, "unpublish": False}.get(action)
    if publish and not publish_confirmed:  # quality checks: confirm likely mistakes first
        quality = publish_blockers(request, resource, *_raw_editor_state(request))
        if quality:
            return _render_editor(request, resource, form, cards, quality=quality)
    try:
        saved = resource_save(
            request.user,
            resource_content(form, cards),
            resource=resource,
            base_version=form.cleaned_data["version"] if resource else None,
            publish=publish,
        )
    except EditConflict as conflict:
        # Keep the author's text; the next save, now against the current version, wins.
        data = request.POST.copy()
        data["version"] = str(conflict.resource.version)
        form = ResourceForm(data)
        form.is_valid()
        return _render_editor(request, resource, form, cards, conflict=conflict, status=409)
    except ResourceFormatError as error:
        form.add_error(None, str(error))
        return _render_editor(request, resource, form, cards, status=422)
    save_session_ignores(request, saved)  # quality checks: ignores made before the first save
    messages.success(request, _saved_message(saved, publish))
    return redirect(saved.get_absolute_url())


def _saved_message(resource: Resource, publish: bool | None) -> str:
    if publish is True and not resource.is_visible:
        return "Published: readers will see it once a moderator approves its new subject or topic."
    if publish is True:
        return "Published: everyone can read it now."
    if publish is False:
        return "Unpublished: it is a draft again, visible to you only."
    if resource.is_published:
        return "Saved."
    return "Draft saved: only you can see it until you publish."


def _split_pasted_notes(request: HttpRequest, resource: Resource | None) -> HttpResponse:
    fields, current_cards = _raw_editor_state(request)
    paste_form = PasteForm(request.POST)
    paste_form.is_valid()
    text = paste_form.cleaned_data.get("paste", "")
    try:
        parsed = parse_resource_text(text, require_metadata=False)
    except ResourceFormatError as error:
        paste_form.add_error("paste", f"These notes can't be split into cards: {error}.")
        form, cards = _unbound_editor(fields, current_cards)
        return _render_editor(request, resource, form, cards, paste_form=paste_form, status=422)
    # The pasted page fills what the form leaves empty and replaces blank cards.
    for name in ("title", "subject", "topic", "level", "exam_board"):
        if not fields.get(name) and getattr(parsed, name):
            fields[name] = getattr(parsed, name)
    kept = [card for card in current_cards if card["heading"].strip() or card["body"].strip()]
    pasted = [{"heading": c.heading, "body": c.body} for c in parsed.cards]
    form, cards = _unbound_editor(fields, kept + pasted)
    messages.info(request, f"Split into {len(pasted)} card{'s' if len(pasted) != 1 else ''}.")
    return _render_editor(request, resource, form, cards)


@login_required
@require_POST
def card_preview(request: HttpRequest) -> HttpResponse:
    """The live preview of one card's Markdown (htmx posts the textarea as it changes)."""
    # htmx posts the whole editor form and names the textarea that changed.
    field = request.htmx.trigger_name if request.htmx else None
    if not field or not field.endswith("-body"):
        field = "body"
    text = request.POST.get(field, "")
    if len(text) > MAX_CARD_LENGTH:
        html, error = "", f"This card is over {MAX_CARD_LENGTH:,} characters."
    else:
        html, error = render_markdown(text), ""
    return render(request, "library/_card_preview.html", {"html": html, "error": error})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def resource_delete_view(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug)
    if not resource.can_edit(request.user):
        raise PermissionDenied
    if request.method == "POST":
        resource_delete(request.user, resource)
        messages.success(request, f"“{resource.title}” was deleted.")
        return redirect("accounts:profile", username=request.user.get_username())
    return render(request, "library/resource_delete.html", {"resource": resource})


# --- history -----------------------------------------------------------------------------


def _history_resource(request: HttpRequest, slug: str) -> Resource:
    resource = get_object_or_404(Resource.objects.select_related("subject", "topic"), slug=slug)
    if not (resource.can_edit(request.user) or is_moderator(request.user)):
        raise PermissionDenied
    return resource


@login_required
@require_safe
def resource_history(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _history_resource(request, slug)
    revisions = resource.revisions.select_related("saved_by")
    return render(
        request,
        "library/history.html",
        {"resource": resource, "revisions": revisions, "can_edit": resource.can_edit(request.user)},
    )


@login_required
@require_safe
def resource_compare(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _history_resource(request, slug)
    try:
        numbers = sorted({int(request.GET["from"]), int(request.GET["to"])})
    except (KeyError, ValueError):
        raise Http404("Pick two revisions to compare.") from None
    found = {r.number: r for r in resource.revisions.filter(number__in=numbers)}
    if len(numbers) != 2 or len(found) != 2:
        raise Http404("No such revisions.")
    old, new = (found[n] for n in numbers)
    diff = revision_diff(old.content, new.content)
    return render(
        request,
        "library/compare.html",
        {"resource": resource, "old": old, "new": new, "diff": diff},
    )


@login_required
@require_POST
def resource_restore_view(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug)
    if not resource.can_edit(request.user):
        raise PermissionDenied
    try:
        resource_restore(request.user, resource, number)
    except Revision.DoesNotExist:
        raise Http404("No such revision.") from None
    messages.success(request, f"Revision {number} restored as the current version.")
    return redirect("library:resource_history", slug=resource.slug)
