"""Pages of a list, as every paginated page of the site shows them."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest


def page_or_404(request: HttpRequest, queryset: QuerySet) -> Page:
    """The page `?page=` asks for (a short last page folds into the one before); 404 for
    a page that doesn't exist or isn't a number."""
    paginator = Paginator(queryset, settings.RECALL_PAGE_SIZE, orphans=3)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page.") from None
