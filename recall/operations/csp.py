"""django-csp's Content-Security-Policy header, built once per worker instead of per response.

django-csp's CSPMiddleware builds the header from settings.CONTENT_SECURITY_POLICY for
every response (a redirect after a review answer too): about 8% of an answer's CPU. Our
policy is the same for every response (no nonce: no template reads csp_nonce), so this
subclass builds it once and reuses the string. A response django-csp would treat
differently goes through django-csp unchanged: one with any of its per-view attributes
(csp.decorators' _csp_config, _csp_update, _csp_replace, _csp_exempt and their _ro
forms), or a request whose nonce was read (the header must carry it). The settings are
looked up on each response, so a changed setting (override_settings in tests) rebuilds
the header; EXCLUDE_URL_PREFIXES, report-only policies and the DEBUG exemption of 404s
and 500s behave as in django-csp.
"""

from __future__ import annotations

import http.client as http_client

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings

# What csp.decorators set on a response; any of them: django-csp decides.
_PER_VIEW = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)
_DEBUG_EXEMPT = (http_client.INTERNAL_SERVER_ERROR, http_client.NOT_FOUND)


class CachedCSPMiddleware(CSPMiddleware):
    """CSPMiddleware with the settings' policy built once (per distinct settings)."""

    # (the policy setting, the report-only setting, what _headers returns), in one tuple
    # so that threads see the three together.
    _cache: tuple = (None, None, None)

    def _headers(self) -> tuple:
        """(header, excluded prefixes) for the policy and the report-only policy."""
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        policy_ro = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        cached_policy, cached_policy_ro, built = self._cache
        if built is None or cached_policy is not policy or cached_policy_ro is not policy_ro:
            built = (
                build_policy(),
                tuple((policy or {}).get("EXCLUDE_URL_PREFIXES", None) or ()),
                build_policy(report_only=True),
                tuple((policy_ro or {}).get("EXCLUDE_URL_PREFIXES", None) or ()),
            )
            self._cache = (policy, policy_ro, built)
        return built

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _PER_VIEW
        ):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_EXEMPT and settings.DEBUG:
            return response
        csp, prefixes, csp_ro, prefixes_ro = self._headers()
        path = request.path_info
        if csp and HEADER not in response and not path.startswith(prefixes):
            response[HEADER] = csp
        if csp_ro and HEADER_REPORT_ONLY not in response and not path.startswith(prefixes_ro):
            response[HEADER_REPORT_ONLY] = csp_ro
        # As django-csp: reading the nonce after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
