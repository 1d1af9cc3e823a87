"""Every quality-check write: ignoring a finding, and taking an ignore back.

Each checks its own permission (only the resource's author) and runs in a transaction,
so the editor, the report page and (later) the API share them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from recall.library.models import Resource

from .models import IgnoredFinding

User = AbstractBaseUser | AnonymousUser
MAX_IGNORED = 500  # per resource: more would be a script, not an author


def _require_author(user: User, resource: Resource) -> None:
    if not resource.can_edit(user):
        raise PermissionDenied("Only its author can change this resource's checks.")


def _valid_fingerprint(fingerprint: str) -> str:
    fingerprint = fingerprint.strip()
    if not (1 <= len(fingerprint) <= 64) or not all(c in "0123456789abcdef" for c in fingerprint):
        raise ValidationError("Not a finding's id.", code="invalid")
    return fingerprint


def finding_ignore(
    user: User, resource: Resource, fingerprint: str, *, kind: str = "", text: str = ""
) -> IgnoredFinding:
    """Remember that the author ignores this finding in this resource (idempotent)."""
    return findings_ignore(user, resource, [(fingerprint, kind, text)])[0]


def findings_ignore(
    user: User, resource: Resource, findings: Iterable[tuple[str, str, str]]
) -> list[IgnoredFinding]:
    """Ignore several (fingerprint, kind, text) at once: an unsaved resource's on first save."""
    _require_author(user, resource)
    wanted = {_valid_fingerprint(fp): (kind[:20], text[:200]) for fp, kind, text in findings}
    with transaction.atomic():
        existing = {
            ignored.fingerprint: ignored
            for ignored in IgnoredFinding.objects.filter(
                resource=resource, fingerprint__in=list(wanted)
            )
        }
        new = [fp for fp in wanted if fp not in existing]
        count = IgnoredFinding.objects.filter(resource=resource).count()
        if count + len(new) > MAX_IGNORED:
            raise ValidationError(
                f"A resource can ignore at most {MAX_IGNORED} findings.", code="max"
            )
        for fingerprint in new:
            kind, text = wanted[fingerprint]
            existing[fingerprint] = IgnoredFinding.objects.create(
                resource=resource, fingerprint=fingerprint, kind=kind, text=text, ignored_by=user
            )
    return [existing[fp] for fp in wanted]


def finding_unignore(user: User, resource: Resource, fingerprint: str) -> bool:
    """Check for this finding again; True if it had been ignored."""
    _require_author(user, resource)
    with transaction.atomic():
        deleted, _ = IgnoredFinding.objects.filter(
            resource=resource, fingerprint=_valid_fingerprint(fingerprint)
        ).delete()
    return bool(deleted)
