"""Sign up, profiles, and the rate-limited wrappers around Django's auth views."""

from __future__ import annotations

from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from recall.library.models import Resource, Status

from .forms import SignUpForm

SIGNUP_RATE = "5/h"
PASSWORD_RESET_RATE = "5/h"  # noqa: S105 - a rate, not a password


def too_many_requests(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "accounts/rate_limited.html", {"what": what}, status=429)


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("library:home")
    if request.method == "POST":
        if is_ratelimited(request, group="signup", key="ip", rate=SIGNUP_RATE, increment=True):
            return too_many_requests(request, "sign-ups from your network")
        form = SignUpForm(request.POST)
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("accounts:profile", username=user.get_username())
    else:
        form = SignUpForm()
    return render(request, "accounts/signup.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"

    def post(self, request, *args, **kwargs):
        if is_ratelimited(
            request, group="password-reset", key="ip", rate=PASSWORD_RESET_RATE, increment=True
        ):
            return too_many_requests(request, "password reset requests from your network")
        return super().post(request, *args, **kwargs)


@require_safe
def profile(request: HttpRequest, username: str) -> HttpResponse:
    person = get_object_or_404(get_user_model(), username=username, is_active=True)
    own = request.user.is_authenticated and request.user.pk == person.pk
    published = Resource.objects.for_listing().visible().filter(author=person).recent()
    paginator = Paginator(published, 20, orphans=3)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page.") from None
    drafts = (
        Resource.objects.for_listing().filter(author=person, status=Status.DRAFT).recent()
        if own
        else Resource.objects.none()
    )
    return render(
        request,
        "accounts/profile.html",
        {"person": person, "own": own, "page": page, "drafts": drafts},
    )
