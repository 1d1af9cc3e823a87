"""python manage.py import_resources PATH [PATH ...]"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from recall.lib.resource_text import MAX_FILE_BYTES, ResourceFormatError
from recall.library.actions import resource_import_bytes


class Command(BaseCommand):
    help = (
        "Import revision resources from files in the scraped page format or Markdown with "
        "YAML front matter. A directory stands for every file under it. Prints each "
        "imported resource's path; re-importing a source updates it in place. Each file is "
        "imported whole or not at all; a bad one is named on stderr with the reason."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="files, or directories of files, to import"
        )
        parser.add_argument(
            "--author",
            default=settings.RECALL_IMPORT_AUTHOR,
            help="username owning resources whose file names no author (default: %(default)s)",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="no progress line on stderr (it is shown only when stderr is a terminal)",
        )

    def handle(
        self, *args: object, paths: list[str], author: str, no_progress: bool, **options: object
    ) -> None:
        files = list(expand_paths(Path(p) for p in paths))
        progress = None
        stream = getattr(self.stderr, "_out", None)
        if not no_progress and stream is not None and stream.isatty():
            progress = Progress(stream, len(files))
        failures = import_files(files, author, self.stdout, self.stderr, progress=progress)
        if failures:
            raise CommandError(f"{failures} of {len(files)} file(s) could not be imported.")


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Each path as given; a directory as the files under it, sorted, hidden ones skipped."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden:
                    yield child
        else:
            yield path


def read_resource_file(path: Path) -> bytes:
    """The file's bytes, without reading more than the import limit of an oversized one."""
    with path.open("rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            size = path.stat().st_size
            raise ResourceFormatError(
                f"file is too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})"
            )
    return data


class Progress:
    """One self-overwriting line on a terminal: files done of the total, failures, rate."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream, self.total = stream, total
        self.started = self.shown_at = time.monotonic()
        self.done = self.failed = 0

    def advance(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        now = time.monotonic()
        if now - self.shown_at >= 0.1 or self.done == self.total:
            self.shown_at = now
            self.draw()

    def draw(self) -> None:
        width = 30
        filled = width * self.done // max(self.total, 1)
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} files, "
            f"{self.failed} bad, {rate:.0f}/s\x1b[K"
        )
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()

    def finish(self) -> None:
        self.draw()
        self.stream.write("\n")
        self.stream.flush()


def import_files(paths: list[Path], author: str, stdout, stderr, progress=None) -> int:
    """Import each file on its own; print paths and reasons; return how many failed."""
    failures = 0

    def report(stream, line: str) -> None:
        # Lines go above the progress line, which is drawn again under them.
        if progress is not None:
            progress.clear()
        stream.write(line)
        if progress is not None:
            progress.draw()

    for path in paths:
        reason = None
        try:
            result = resource_import_bytes(read_resource_file(path), default_author=author)
        except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
            reason = f"cannot read the file ({error.strerror.lower()})"
        except ResourceFormatError as error:
            reason = str(error)
        except DatabaseError as error:
            # The file's transaction was rolled back; report it and go on with the rest.
            reason = f"database error, nothing imported ({error})"
        if reason is None:
            report(stdout, result.resource.get_absolute_url())
        else:
            failures += 1
            report(stderr, f"{path}: {reason}")
        if progress is not None:
            progress.advance(failed=reason is not None)
    if progress is not None:
        progress.finish()
    return failures
