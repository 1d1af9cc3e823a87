"""Compare two saved versions of a resource, line by line, as its Markdown file reads."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from recall.lib.resource_text import ParsedResource, format_markdown_resource


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed" or "gap" (unchanged lines left out)
    text: str


def revision_diff(old: dict, new: dict, context: int = 3) -> list[DiffLine]:
    """The lines that changed between two revisions' content, with some context."""
    before = format_markdown_resource(ParsedResource.from_dict(old)).splitlines()
    after = format_markdown_resource(ParsedResource.from_dict(new)).splitlines()
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_grouped_opcodes(
        context
    ):
        if lines:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine("same", text) for text in before[i1:i2])
                continue
            lines.extend(DiffLine("removed", text) for text in before[i1:i2])
            lines.extend(DiffLine("added", text) for text in after[j1:j2])
    return lines
