"""Send reads to PostgreSQL read replicas when DATABASE_REPLICA_URLS names some."""

from __future__ import annotations

import random

from django.conf import settings


class PrimaryReplicaRouter:
    """Writes and migrations go to the primary ("default"); reads to a random replica.

    Replicas lag the primary by a little: pages that must show what was just written read
    inside a transaction (every action runs in one), which Django keeps on the primary.
    """

    def __init__(self, replicas: list[str] | None = None) -> None:
        if replicas is None:
            replicas = [alias for alias in settings.DATABASES if alias.startswith("replica")]
        self.replicas = replicas

    def db_for_read(self, model, **hints) -> str | None:
        return random.choice(self.replicas) if self.replicas else None  # noqa: S311 - spreading

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        return db == "default"
