"""/search/: the search page, and its results alone for htmx."""

from __future__ import annotations

from math import ceil
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from recall.operations.page_cache import prefetch

from .forms import OPTION_FRAGMENTS, SearchForm
from .service import search_resources

PAGE_SIZE = 20
MAX_PAGE = 500


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page") or "1"
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise Http404("No such page.")
    return int(raw)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, request=request)
    number = _page_number(request)
    outcome = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        outcome = search_resources(
            form.cleaned_data["q"],
            form.filters(),
            offset=(number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
            correct=not form.cleaned_data["exact"],
        )
        pages = max(1, ceil(outcome.total / PAGE_SIZE))
        if number > pages:
            raise Http404("No such page.")
        # A total that is a lower bound: more pages follow the last one counted.
        more = not outcome.total_exact and number < MAX_PAGE
    else:
        pages, more = 1, False
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    context = {
        "form": form,
        "outcome": outcome,
        "page": number,
        "pages": pages,
        "previous_url": f"?{urlencode({**params, 'page': number - 1})}" if number > 1 else "",
        "pages_more": more,
        "next_url": f"?{urlencode({**params, 'page': number + 1})}"
        if number < pages or more
        else "",
        "exact_url": f"?{urlencode({**params, 'exact': 'on'})}",
    }
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "search/_results.html", context)
    # The form's subject and topic options, with the content version, in one cache call.
    prefetch(request, [], OPTION_FRAGMENTS)
    return render(request, "search/search.html", context)
