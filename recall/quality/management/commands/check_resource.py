"""python manage.py check_resource PATH_OR_SLUG [...] [--json]"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recall.lib.quality import Confidence, Finding
from recall.lib.resource_text import (
    ResourceFormatError,
    decode_resource_bytes,
    parse_resource_text,
)
from recall.library.actions import import_key_for
from recall.library.models import Resource
from recall.quality.checking import ResourceCheck, check_content, check_resource

COLUMNS = ("where", "at", "text", "kind", "confidence", "suggestions")


class Command(BaseCommand):
    help = (
        "Check resources for misspellings, inconsistent names, real-word errors and style: "
        "each PATH_OR_SLUG is a file to import (not imported) or a resource's slug. Prints a "
        "table (--json for machines); exits with status 1 when any finding has high "
        "confidence, 2 when a file or slug can't be read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("targets", nargs="+", metavar="PATH_OR_SLUG")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args: object, targets: list[str], json: bool, **options: object) -> None:
        reports = []
        for target in targets:
            check, name = self._check(target)
            reports.append((target, name, check))
        if json:
            self.stdout.write(_json(reports))
        else:
            width = shutil.get_terminal_size((120, 24)).columns
            for target, name, check in reports:
                self.stdout.write(self.style.MIGRATE_HEADING(f"{target}: {name}"))
                self.stdout.write(_table(check, width))
        high = sum(len(check.high) for _, _, check in reports)
        if high:
            raise CommandError(
                f"{high} high-confidence finding{'s' if high != 1 else ''}.", returncode=1
            )

    def _check(self, target: str) -> tuple[ResourceCheck, str]:
        path = Path(target)
        if path.is_file():
            try:
                parsed = parse_resource_text(decode_resource_bytes(path.read_bytes()))
            except (OSError, ResourceFormatError) as error:
                raise CommandError(f"{target}: {error}", returncode=2) from None
            # The same resource already imported must not vouch for its own words.
            saved = Resource.objects.filter(import_key=import_key_for(parsed)).first()
            cards = [(card.heading, card.body) for card in parsed.cards]
            return check_content(parsed.title, cards, saved), parsed.title
        resource = Resource.objects.filter(slug=target).first()
        if resource is None:
            raise CommandError(f"{target}: no such file or resource slug", returncode=2)
        return check_resource(resource), resource.title


def _row(finding: Finding) -> tuple[str, ...]:
    return (
        finding.location,
        f"{finding.start}-{finding.end}",
        finding.text,
        finding.kind.value,
        finding.confidence.value,
        ", ".join(repr(s) if not s.strip() else s for s in finding.suggestions[:3]) or "-",
    )


def _table(check: ResourceCheck, width: int) -> str:
    if not check.findings:
        ignored = f" ({len(check.ignored)} ignored)" if check.ignored else ""
        return f"  no findings{ignored}\n"
    rows = [COLUMNS, *(_row(f) for f in check.findings)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    # The suggestions column takes what is left of the terminal.
    widths[-1] = max(12, min(widths[-1], width - sum(widths[:-1]) - 2 * len(COLUMNS)))
    lines = []
    for number, row in enumerate(rows):
        cells = [cell[:w].ljust(w) for cell, w in zip(row, widths, strict=True)]
        lines.append("  " + "  ".join(cells).rstrip())
        if number == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    high = len(check.high)
    summary = f"  {len(check.findings)} finding(s), {high} high confidence"
    if check.ignored:
        summary += f", {len(check.ignored)} ignored"
    return "\n".join([*lines, summary, ""])


def _json(reports: list[tuple[str, str, ResourceCheck]]) -> str:
    return json.dumps(
        [
            {
                "target": target,
                "title": name,
                "findings": [f.to_dict() for f in check.findings],
                "ignored": len(check.ignored),
                "high_confidence": len(check.high),
            }
            for target, name, check in reports
        ],
        ensure_ascii=False,
        indent=2,
    )


__all__ = ["Command", "Confidence"]
