"""WSGI entry point: gunicorn recall.wsgi.

Django's application, behind recall.operations.page_cache.StoredPages: an anonymous
reader's stored page is served before Django's request handling and middleware.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recall.settings")
django_application = get_wsgi_application()

from recall.operations.page_cache import StoredPages  # noqa: E402 (needs Django set up)

application = StoredPages(django_application)
