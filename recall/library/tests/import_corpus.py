"""A directory of import files, mostly good with a sprinkling of broken ones.

Used by the import tests and by bench/crash.py and bench/import_scale.py. Deterministic for
a given count and seed. Returns what a correct import must do with each file.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

SUBJECTS = ("History", "Biology", "Geography", "Physics")


@dataclass(frozen=True)
class GoodFile:
    title: str
    subject: str
    topic: str
    cards: int


def good_markdown(
    number: int, rng: random.Random, cards: int | None = None
) -> tuple[str, GoodFile]:
    subject = SUBJECTS[number % len(SUBJECTS)]
    topic = f"{subject} topic {number % 7}"
    title = f"Imported notes {number:05d}"
    cards = cards if cards is not None else rng.randint(1, 6)
    body = "\n---\n\n".join(
        f"## Point {card}\n\n- Fact {card} of file {number}: café, naïve, Kruschev.\n"
        for card in range(1, cards + 1)
    )
    text = f"---\ntitle: {title}\nsubject: {subject}\ntopic: {topic}\nlevel: GCSE\n---\n{body}"
    return text, GoodFile(title=title, subject=subject, topic=topic, cards=cards)


def _broken_files(rng: random.Random, huge_bytes: int) -> list[tuple[str, bytes, str]]:
    """(file name, content, what the reason given must contain) for each kind of bad file."""
    good, _ = good_markdown(99_999, rng)
    encoded = good.encode()
    cut = encoded.index("é".encode()) + 1  # inside the two bytes of "é"
    huge = (good + "\n" + "- padding line\n" * (huge_bytes // 15 + 1)).encode()[:huge_bytes]
    return [
        ("truncated-utf8.md", encoded[:cut], "ends in the middle of a character"),
        ("latin1.md", good.replace("café", "caf\xe9").encode("latin-1"), "not UTF-8 text"),
        ("huge.md", huge, "file is too large"),
        ("binary.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(4000), "not text"),
        ("random.bin", bytes(rng.randrange(128, 256) for _ in range(3000)), "not UTF-8 text"),
        ("empty.md", b"", "file is empty"),
        ("blank.md", b"  \n\n \t\n", "file is empty"),
        ("unclosed.md", b"---\ntitle: T\nsubject: S\n", "not closed by a '---' line"),
        ("bad-yaml.md", b"---\ntitle: [unclosed\nsubject: S\n---\n## A\n\n- b\n", "not valid YAML"),
        ("list-yaml.md", b"---\n- title\n- subject\n---\n## A\n\n- b\n", "'key: value' lines"),
        (
            "unknown-key.md",
            b"---\ntitle: T\nsubject: S\ntopic: P\ncolour: red\n---\n## A\n\n- b\n",
            "colour",
        ),
        ("no-topic.md", b"---\ntitle: T\nsubject: S\n---\n## A\n\n- b\n", "no 'topic'"),
        (
            "bad-level.md",
            b"---\ntitle: T\nsubject: S\ntopic: P\nlevel: Grade 12\n---\n## A\n\n- b\n",
            "unknown level",
        ),
        ("no-cards.md", b"---\ntitle: T\nsubject: S\ntopic: P\n---\n", "no cards"),
    ]


def write_import_corpus(
    directory: Path, files: int, *, seed: int = 8, huge_bytes: int = 50 * 1024 * 1024
) -> tuple[dict[Path, GoodFile], dict[Path, str]]:
    """Write `files` files into directory: every kind of broken file once, spread among
    good Markdown files. Returns (good files, bad files with the expected reason)."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    directory.mkdir(parents=True, exist_ok=True)
    broken = _broken_files(rng, huge_bytes)
    if files < len(broken) + 1:
        raise ValueError(f"need at least {len(broken) + 1} files")
    spots = dict(zip(sorted(rng.sample(range(files), len(broken))), broken, strict=True))
    good: dict[Path, GoodFile] = {}
    bad: dict[Path, str] = {}
    for number in range(files):
        if number in spots:
            name, content, reason = spots[number]
            path = directory / f"{number:05d}-{name}"
            path.write_bytes(content)
            bad[path] = reason
        else:
            text, expected = good_markdown(number, rng)
            path = directory / f"{number:05d}.md"
            path.write_text(text, encoding="utf-8")
            good[path] = expected
    return good, bad
