"""Version 1 of the JSON API: /api/v1/, its OpenAPI schema and its interactive docs."""

from __future__ import annotations

import json

from django.shortcuts import render
from ninja import NinjaAPI, Swagger

from . import community, library, search, study
from .errors import install_error_handlers

DESCRIPTION = """\
Read Recall's library, and write to it with a personal API token.

* **Reading** needs no token: subjects, topics, published resources with their cards
  (Markdown and sanitised HTML), comments, similar resources and search. With a token
  you also read your own drafts.
* **Writing** needs a token, made on your account's *API tokens* page and sent as
  `Authorization: Bearer <token>`: create, change and delete your resources and their
  cards, import a file, comment, rate and report. Every write goes through the same
  checks as the site: permissions, limits, sanitising, moderation of new subjects.
* **Studying** needs a token too (a queue is its user's own): add a resource to your
  studies, read your due queue, answer a review (rating 1 Again to 4 Easy: FSRS
  schedules the next one) and read your statistics. Quizzes on a resource or a topic
  (multiple choice or typed) are practice: their answers are checked, never scheduled.
* **Changing a resource** may send the `version` you read: if someone saved it since,
  the change is refused with 409 and nothing is written.
* **Errors** are JSON: `{"error": {"code", "message", "fields"}}`, with the status
  (400, 401, 403, 404, 405, 409, 413, 422, 429). 429 comes with `Retry-After`.
"""


class LocalSwagger(Swagger):
    """Swagger UI from the files django-ninja ships, never from its CDN. ninja renders its
    local template only when "ninja" is an installed app; Recall finds the package's
    templates and static files through TEMPLATES and STATICFILES_DIRS instead (settings),
    so that starting a worker doesn't import ninja and pydantic."""

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        # No CSRF token on the page: the API authenticates by bearer token, not cookie.
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api}
        return render(request, self.template, context)


api = NinjaAPI(
    title="Recall API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Swagger UI from the files django-ninja ships (no CDN); no validator badge, which
    # would fetch an image from elsewhere.
    docs=LocalSwagger(settings={"validatorUrl": None}),
)
install_error_handlers(api)
api.add_router("", library.router)
api.add_router("", community.router)
api.add_router("", search.router)
api.add_router("", study.router)
