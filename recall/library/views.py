"""Browse subjects and topics, read a resource card by card. Thin: query, render."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .actions import resource_record_view
from .models import Card, Resource, Status, Subject, Topic

SIMILAR_COUNT = 5
# Resource rows that browse pages count: the visible ones (see models.VISIBLE).
_VISIBLE_RESOURCES = Q(
    resources__status=Status.PUBLISHED,
    resources__is_hidden=False,
    resources__topic__is_approved=True,
)
RECENT_COUNT = 10


def _page(request: HttpRequest, queryset: QuerySet) -> Page:
    paginator = Paginator(queryset, settings.RECALL_PAGE_SIZE, orphans=3)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page.") from None


def _card_number(request: HttpRequest) -> int:
    raw = request.GET.get("card", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        raise Http404("No such card.")
    return int(raw)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    subjects = (
        Subject.objects.filter(is_approved=True)
        .annotate(resource_count=Count("resources", filter=_VISIBLE_RESOURCES))
        .filter(resource_count__gt=0)
    )
    recent = Resource.objects.for_listing().visible().recent()[:RECENT_COUNT]
    return render(request, "library/home.html", {"subjects": subjects, "recent": recent})


@require_safe
def subject_detail(request: HttpRequest, subject_slug: str) -> HttpResponse:
    subject = get_object_or_404(Subject, slug=subject_slug)
    topics = subject.topics.annotate(resource_count=Count("resources")).filter(resource_count__gt=0)
    page = _page(request, Resource.objects.for_listing().filter(subject=subject).recent())
    return render(
        request,
        "library/subject.html",
        {"subject": subject, "topics": topics, "page": page},
    )


@require_safe
def topic_detail(request: HttpRequest, subject_slug: str, topic_slug: str) -> HttpResponse:
    topic = get_object_or_404(
        Topic.objects.select_related("subject"),
        subject__slug=subject_slug,
        slug=topic_slug,
        is_approved=True,
        subject__is_approved=True,
    )
    page = _page(request, Resource.objects.for_listing().visible().filter(topic=topic).recent())
    return render(request, "library/topic.html", {"topic": topic, "page": page})


def _resource(request: HttpRequest, slug: str) -> Resource:
    """The resource if this user may see it: drafts for their author, hidden for moderators."""
    return get_object_or_404(Resource.objects.for_listing().visible_to(request.user), slug=slug)


def _resource_context(request: HttpRequest, resource: Resource) -> dict:
    if resource.is_visible:
        resource_record_view(resource, request.session)
    return {
        "resource": resource,
        "can_edit": resource.can_edit(request.user),
        "similar": Resource.objects.similar_to(resource)[:SIMILAR_COUNT],
    }


@require_safe
def resource_detail(request: HttpRequest, slug: str) -> HttpResponse:
    number = _card_number(request)
    resource = _resource(request, slug)
    if not 1 <= number <= resource.card_count:
        raise Http404("No such card.")
    card = get_object_or_404(Card, resource=resource, position=number)
    context = {"resource": resource, "card": card}
    if request.htmx and request.htmx.target == "card":
        # Paging with htmx swaps the card alone: the rest of the page stays.
        return render(request, "library/_card.html", context)
    context.update(_resource_context(request, resource))
    return render(request, "library/resource.html", context)


@require_safe
def resource_all_cards(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _resource(request, slug)
    context = _resource_context(request, resource)
    context["cards"] = resource.cards.all()
    return render(request, "library/resource_all_cards.html", context)
