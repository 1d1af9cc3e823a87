"""Sign up, profiles, and the rate-limited wrappers around Django's auth views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import is_ratelimited

from recall.api.actions import token_create, token_revoke
from recall.api.models import ApiToken
from recall.library.models import Resource, Status
from recall.library.pagination import page_or_404
from recall.operations.exports import user_data_export

from .actions import account_delete
from .forms import AccountDeleteForm, ApiTokenForm, SignUpForm

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
    page = page_or_404(request, published)
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


@never_cache  # the page may show a new token's secret: no cache keeps a copy
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens: make one (its secret shown this once) or revoke one."""
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    issued, status = None, 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                issued = token_create(request.user, form.cleaned_data["name"])
            except ValidationError as error:
                form.add_error("name", error)
            else:
                form, status = ApiTokenForm(), 200
    tokens = ApiToken.objects.active().filter(user=request.user)
    context = {"form": form, "issued": issued, "tokens": tokens}
    return render(request, "accounts/api_tokens.html", context, status=status)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.active(), pk=pk, user=request.user)
    token_revoke(request.user, token)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("accounts:api_tokens")


@never_cache
@login_required
@require_safe
def account_settings(request: HttpRequest) -> HttpResponse:
    """Download your data; delete your account."""
    return render(request, "accounts/settings.html", {"delete_form": AccountDeleteForm()})


@never_cache
@login_required
@require_safe
def account_data_download(request: HttpRequest) -> HttpResponse:
    """Everything the logged-in user made, as one zip: theirs alone, whoever asks."""
    data = user_data_export(request.user)
    name = f"recall-{request.user.get_username()}-{timezone.now():%Y-%m-%d}.zip"
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def account_delete_view(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST)
    if form.is_valid():
        try:
            account_delete(
                request.user,
                form.cleaned_data["password"],
                keep_content=form.cleaned_data["content"] == AccountDeleteForm.KEEP,
            )
        except ValidationError as error:
            form.add_error("password", error)
        else:
            logout(request)
            messages.success(request, "Your account is deleted.")
            return redirect("library:home")
    return render(request, "accounts/settings.html", {"delete_form": form}, status=422)
