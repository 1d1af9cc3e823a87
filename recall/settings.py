"""Recall's settings: one file, every knob from the environment.

Works with zero configuration (SQLite under var/, a generated secret key).
A malformed value stops start-up with ImproperlyConfigured naming the variable.
"""

import importlib.util
import os
import secrets
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RECALL_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false, 1/0, yes/no), not {raw!r}.")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} must be a comma-separated list, not {raw!r}.")
    return items


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into var/secret_key."""
    key = os.environ.get("SECRET_KEY")
    if key is not None:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # Written with owner-only permissions: the key signs sessions and password resets.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


# Each SQLite connection's page cache, in KiB: DATABASE_SQLITE_CACHE_KIB, else 500 (SQLite's
# default is 2,000). Every thread of a worker keeps its own connection, and with 2,000
# each filled it: at 100,000 resources a gthread worker of 4 threads grew 8 MB in a few
# searches (bench/pages.py). The pages' queries fit in 500 KiB (no page read twice); a
# search reads some 100 pages more than with 2,000, from the operating system's cache, at
# about 1 us each (its CPU time unchanged within the noise). A long bulk job may want more.
SQLITE_CACHE_KIB = env_int("DATABASE_SQLITE_CACHE_KIB", 500, minimum=100)

SQLITE_OPTIONS = {
    # WAL lets readers run while one writer writes; IMMEDIATE takes the write lock at
    # BEGIN so concurrent writers wait (busy timeout) instead of failing mid-transaction.
    "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
    f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def _database(url: str | None) -> dict:
    if url is None or url.strip() == "":
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'recall.sqlite3'}"
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            "DATABASE_URL must look like sqlite:///path/to/file.sqlite3 or "
            f"postgres://user:password@host:5432/name, not {url!r}."
        )
    try:
        # DATABASE_CONN_MAX_AGE seconds a worker keeps its connection between requests
        # (0: a new one per request), checked before reuse. Opening and closing one per
        # request took more than half a review answer's CPU on SQLite (bench/study_answer.py).
        max_age = env_int("DATABASE_CONN_MAX_AGE", 600)
        config = dj_database_url.parse(url, conn_max_age=max_age, conn_health_checks=max_age > 0)
    except (ValueError, KeyError) as error:
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {error}") from None
    if scheme == "sqlite":
        if not config.get("NAME") or config["NAME"] == ":memory:":
            raise ImproperlyConfigured("DATABASE_URL for SQLite must name a file.")
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
    elif not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL for PostgreSQL must name a database.")
    return config


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_htmx",
    "recall.accounts",
    "recall.library",
    "recall.community",
    "recall.quality",
    "recall.search",
    "recall.study",
    "recall.api",
    "recall.operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Whole pages for anonymous readers; after the session (is the reader anonymous?).
    "recall.operations.page_cache.AnonymousPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the session's user read in one plain query (sessions.py).
    "recall.operations.sessions.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "recall.operations.csp.CachedCSPMiddleware",  # django-csp's, its header built once (csp.py)
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses logins from a locked-out username and address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "recall.urls"
WSGI_APPLICATION = "recall.wsgi.application"

# django-ninja's templates and static files (the API docs' Swagger UI, served from this
# site), found without importing the package: as an installed app it was imported by
# every worker at start-up, and pydantic with it (12 MB); recall.api.v1.LocalSwagger.
_NINJA_DIR = Path(importlib.util.find_spec("ninja").submodule_search_locations[0])

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "recall" / "templates", _NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "recall.accounts.context_processors.roles",
            ],
            # {% url %} and {% static %} whose results each worker remembers.
            "builtins": ["recall.library.templatetags.cached_urls"],
        },
    },
]

DATABASES = {"default": _database(os.environ.get("DATABASE_URL"))}
# Read replicas (PostgreSQL streaming replicas of the primary), comma-separated URLs.
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    DATABASES[f"replica{_number}"] = _database(_url)
    DATABASES[f"replica{_number}"]["TEST"] = {"MIRROR": "default"}
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["recall.db_routers.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "recall" / "static", _NINJA_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Without a collected STATIC_ROOT (development, tests) serve straight from the apps.
# RECALL_STATIC_MANIFEST=true (scripts/serve sets it for collectstatic) picks the hashed
# storage before the first collection has written its manifest.
WHITENOISE_USE_FINDERS = DEBUG or not (
    env_bool("RECALL_STATIC_MANIFEST", False) or (STATIC_ROOT / "staticfiles.json").exists()
)
if WHITENOISE_USE_FINDERS:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    # Expected here, not a fault: nothing is collected, so WhiteNoise uses the finders.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

# Uploaded files (none yet; `manage.py backup` archives whatever is here).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "library:home"
LOGOUT_REDIRECT_URL = "library:home"

# Served over HTTPS (in production, behind a proxy that terminates TLS): secure cookies,
# HSTS and redirects to https. Off by default so that `make run` works on plain http.
HTTPS = env_bool("RECALL_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("RECALL_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Health checks from the machine itself come over plain http: never redirect them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read with one plain query instead of the ORM's.
SESSION_ENGINE = "recall.operations.sessions"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# No inline script or style, no third-party origin: every script is a file of ours.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Caches back the rate limits, so they must be shared by every worker: the database by
# default (its table is made by a migration), or Redis from REDIS_URL.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "recall_cache",
            # Whole pages for anonymous readers are stored here too (page_cache.py).
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
# Seconds an anonymous reader's page stays in the cache (0: no page cache). A change to
# what it shows makes it stale at once; this bounds how old its view count can be.
RECALL_PAGE_CACHE_SECONDS = env_int("RECALL_PAGE_CACHE_SECONDS", 600)

# Repeated failed logins: five in a row for a username from one address lock it for 15 min.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Mail (password resets): printed to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Recall <recall@localhost>")

# Who owns resources imported without an author (import_resources --author overrides).
RECALL_IMPORT_AUTHOR = os.environ.get("RECALL_IMPORT_AUTHOR", "recall")
RECALL_PAGE_SIZE = env_int("RECALL_PAGE_SIZE", 20, minimum=1)

# RECALL_LOG_FORMAT=json (make serve sets it): one JSON object a line on stdout.
LOG_FORMAT = os.environ.get("RECALL_LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"RECALL_LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
_CONSOLE_HANDLER: dict = {"class": "logging.StreamHandler"}
if LOG_FORMAT == "json":
    _CONSOLE_HANDLER = {**_CONSOLE_HANDLER, "stream": "ext://sys.stdout", "formatter": "json"}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "recall.operations.log_format.JsonFormatter"}},
    "handlers": {"console": _CONSOLE_HANDLER},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every successful login at INFO; failures and lockouts are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}

# The JSON API (/api/v1/): requests a minute from one address without a token (and bad
# tokens), and with one token, before a 429 with Retry-After.
RECALL_API_RATE_PER_IP = env_int("RECALL_API_RATE_PER_IP", 120, minimum=1)
RECALL_API_RATE_PER_TOKEN = env_int("RECALL_API_RATE_PER_TOKEN", 600, minimum=1)
