"""Security headers and production settings."""

from __future__ import annotations

import secrets

import pytest
from django.conf import settings as django_settings

from recall.tests.processes import run_python

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "DEBUG": "false",
    "RECALL_HTTPS": "true",
    "ALLOWED_HOSTS": "recall.example.org",
}


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


def test_pages_send_the_other_security_headers(client):
    response = client.get("/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_templates_hold_no_inline_script_or_style():
    for path in (django_settings.BASE_DIR / "recall").rglob("*.html"):
        text = path.read_text()
        assert "<script>" not in text and "<style" not in text, path
        assert " style=" not in text and " onclick=" not in text, path


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(60),
        **PRODUCTION_ENV,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_https_turns_on_secure_cookies_and_hsts(tmp_path):
    code = (
        "import recall.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)"
    )

    result = run_python(["-c", code], tmp_path, **PRODUCTION_ENV)

    assert result.stdout.split() == ["True", "True", "31536000", "True"], result.stderr
