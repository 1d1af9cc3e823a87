"""The corpus counts in the database: kept in step by every write, read a text at a time."""

from __future__ import annotations

import tracemalloc

import pytest
from django.core.management import call_command
from django.db import connection

from recall.community.actions import resource_set_hidden
from recall.lib.quality.vocabulary import document_terms
from recall.lib.resource_text import ParsedCard, ParsedResource
from recall.library.actions import resource_delete, resource_import, resource_save
from recall.library.models import Resource
from recall.quality import corpus
from recall.quality import vocabulary as vocabulary_module
from recall.quality.checking import check_content, check_resource
from recall.quality.corpus import quality_rebuild
from recall.quality.models import QualityDocument, QualityPair, QualityWord
from recall.quality.vocabulary import vocabulary_for

pytestmark = pytest.mark.django_db


def parsed(title: str, body: str) -> ParsedResource:
    return ParsedResource(
        title=title,
        subject="History",
        topic="The Cold War",
        cards=(ParsedCard(heading="Notes", body=body),),
    )


def publish(title: str, body: str) -> Resource:
    return resource_import(parsed(title, body), default_author="recall").resource


def letters(n: int) -> str:
    """A word part without digits (the checks' words are letters only): 0 -> "a"."""
    text = ""
    while True:
        n, digit = divmod(n, 26)
        text = chr(ord("a") + digit) + text
        if not n:
            return text


def documents(word: str) -> int:
    row = QualityWord.objects.filter(word=word).values_list("documents", flat=True)
    return row[0] if row else 0


def pair_documents(first: str, second: str) -> int:
    ids = corpus.word_ids([first, second])
    if len(ids) < 2:
        return 0
    row = QualityPair.objects.filter(pair=corpus.pair_key(ids[first], ids[second]))
    return row.values_list("documents", flat=True)[0] if row else 0


def counts() -> tuple[set, set, set]:
    """Every word's and pair's count, and every resource's terms, by word (ids differ)."""
    by_id = dict(QualityWord.objects.values_list("id", "word"))
    mask = (1 << corpus.PAIR_SHIFT) - 1
    return (
        set(QualityWord.objects.values_list("word", "documents", "english")),
        {
            (by_id[key >> corpus.PAIR_SHIFT], by_id[key & mask], n)
            for key, n in QualityPair.objects.values_list("pair", "documents")
        },
        {
            (
                pk,
                frozenset(by_id[i] for i in corpus.unpack(words, "i")),
                frozenset(
                    (by_id[k >> corpus.PAIR_SHIFT], by_id[k & mask])
                    for k in corpus.unpack(pairs, "q")
                ),
            )
            for pk, words, pairs in QualityDocument.objects.values_list(
                "resource_id", "words", "pairs"
            )
        },
    )


def test_publishing_counts_each_resources_words_and_pairs_once():
    publish("Zorblat notes", "- The zorblat treaty.\n- Again a zorblat.")
    publish("More notes", "- Another zorblat treaty.")

    assert documents("zorblat") == 2 and documents("notes") == 2 and documents("again") == 1
    assert pair_documents("zorblat", "treaty") == 2 and pair_documents("zorblat", "again") == 0
    # Each resource's document holds its terms, as ids of the words counted.
    assert {(words, pairs) for _, words, pairs in counts()[2]} == {
        (
            frozenset({"zorblat", "notes", "the", "treaty", "again", "a"}),
            frozenset(
                {("zorblat", "notes"), ("the", "zorblat"), ("zorblat", "treaty")}
                | {("again", "a"), ("a", "zorblat")}
            ),
        ),
        (
            frozenset({"more", "notes", "another", "zorblat", "treaty"}),
            frozenset({("more", "notes"), ("another", "zorblat"), ("zorblat", "treaty")}),
        ),
    }
    assert QualityWord.objects.get(word="zorblat").english is False
    assert QualityWord.objects.get(word="treaty").english is True


def test_editing_unpublishing_hiding_and_deleting_change_the_counts(author, moderator):
    first = publish("Zorblat notes", "- The zorblat treaty.")
    second = resource_save(author, parsed("Zorblat", "- A zorblat treaty."), publish=True)
    assert documents("zorblat") == 2 and pair_documents("zorblat", "treaty") == 2

    resource_save(
        author, parsed("Zorblat", "- A quexil pact."), resource=second, publish=True
    )  # edited: the old words go, the new ones come
    assert documents("zorblat") == 2 and documents("quexil") == 1
    assert pair_documents("zorblat", "treaty") == 1 and pair_documents("quexil", "pact") == 1

    resource_save(author, parsed("Zorblat", "- A quexil pact."), resource=second, publish=False)
    assert documents("zorblat") == 1 and documents("quexil") == 0
    assert not QualityDocument.objects.filter(resource_id=second.pk).exists()

    resource_set_hidden(moderator, first, True)
    assert documents("zorblat") == 0 and pair_documents("zorblat", "treaty") == 0
    resource_set_hidden(moderator, first, False)
    assert documents("zorblat") == 1

    resource_delete(first.author, first)
    assert not QualityWord.objects.exists() and not QualityPair.objects.exists()
    assert not QualityDocument.objects.exists()


def test_rebuilding_gives_the_counts_the_writes_kept(author):
    publish("Zorblat notes", "- The zorblat treaty.")
    draft = publish("Quexil notes", "- The quexil pact.")
    resource_save(author, parsed("Zorblat", "- Zorblat treaty, quexil pact."), publish=True)
    resource_import(
        parsed("Quexil notes", "- The quexil pact."), default_author="recall", publish=False
    )
    assert Resource.objects.get(pk=draft.pk).status == "draft"
    kept = counts()

    assert quality_rebuild() == 2
    assert counts() == kept

    QualityWord.objects.all().delete()
    call_command("rebuild_quality_corpus", verbosity=0)
    assert counts() == kept


def test_a_corpus_word_is_known_once_two_other_resources_use_it():
    text = ("Zorblat notes", [("Notes", "- The zorblat treaty was signed.")])
    checked = publish("Mine", "- The zorblat treaty was signed.")

    def flagged(resource=None) -> bool:
        return any(f.text == "zorblat" for f in check_content(*text, resource).findings)

    assert flagged(checked)
    publish("One", "- A zorblat treaty.")
    assert flagged(checked)  # one other resource, and its own use does not count
    publish("Two", "- Another zorblat treaty.")
    assert not flagged(checked)
    assert not flagged(None)


def test_a_misspelled_corpus_word_gets_the_corpus_spelling():
    publish("One", "- The Zorblatt treaty.")
    publish("Two", "- Another Zorblatt treaty.")

    findings = check_content("Notes", [("Notes", "- The Zorblat treaty was signed.")]).findings

    (finding,) = [f for f in findings if f.text == "Zorblat"]
    assert finding.suggestions[0] == "Zorblatt"


def test_a_pair_the_corpus_writes_finds_a_real_word_error():
    publish("One", "- They formed a military alliance.")

    resource = publish("Mine", "- They formed a military allowance.")
    findings = check_resource(resource).findings

    assert any(f.text == "allowance" and f.suggestions == ("alliance",) for f in findings)
    # Its own pairs never vouch for it: "military allowance" is not attested by itself.
    vocabulary = vocabulary_for(resource, "Mine", [("", "- They formed a military allowance.")])
    assert vocabulary.pair_count("military", "alliance") >= 1
    assert vocabulary.pair_count("military", "allowance") == 0


def test_a_check_reads_only_what_its_text_needs():
    for n in range(30):
        name = letters(n)
        publish(f"Resource {name}", f"- Quexil{name} and zorblat{name} signed the treaty.")

    vocabulary = vocabulary_for(None, "Notes", [("", "- The treaty was signed.")])

    assert not any(word.startswith(("quexil", "zorblat")) for word in vocabulary.words)
    assert set(vocabulary.left["treaty"]) == {"the"}  # the pairs beside its words only
    assert not any(word.startswith("quexil") for word in vocabulary.right)


def test_a_check_reads_only_the_pairs_a_fix_could_use():
    publish("One", "- A military alliance, a military allowance, a military academy.")
    publish("Two", "- The military alliances of the military age.")

    vocabulary = vocabulary_for(None, "Mine", [("", "- They formed a military allowanse.")])

    # Words two edits from "allowanse", with its first letter, may be its fix; the text's
    # own pairs are read as they are; "academy", "age" and "alliances" (three edits) could
    # fix nothing here.
    assert vocabulary.pair_count("military", "allowance") == 1
    assert vocabulary.pair_count("a", "military") == 1
    assert not {"academy", "age", "alliances"} & set(vocabulary.right["military"])


def test_the_module_keeps_nothing_of_the_corpus():
    publish("One", "- The zorblat treaty.")
    publish("Two", "- The zorblat treaty.")
    check_content("Notes", [("", "- The zorblat treaty.")])

    # Module-level state is only the shipped lists (cached once, whatever the corpus).
    for name, value in vars(vocabulary_module).items():
        if name.startswith("__"):
            continue
        cache_info = getattr(value, "cache_info", None)
        ours = getattr(value, "__module__", None) == vocabulary_module.__name__
        if ours and cache_info is not None and name not in ("shipped_entries", "_shipped"):
            assert cache_info().currsize == 0, name
        assert not isinstance(value, dict | set | list), name


def test_checking_after_500_more_resources_allocates_little(author):
    body = "\n".join(f"- Fact: the zorbla{letters(n)} of quexil treaty." for n in range(8))

    def measured() -> tuple[int, int]:
        """What a check allocates at its peak, and what it leaves allocated."""
        tracemalloc.start()
        try:
            start, _ = tracemalloc.get_traced_memory()
            check_content("Notes", [("", body)])
            end, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return peak - start, end - start

    check_content("Warm up", [("", body)])  # the English lexicon and the lists, loaded once
    small_peak, _ = measured()
    for n in range(500):
        name = letters(n)
        words = " ".join(f"term{name}{letters(k)} other{letters(k)}" for k in range(20))
        publish(f"Bulk {name}", f"- {words}.\n- The zorbla{letters(n % 8)} treaty.")
    big_peak, kept = measured()

    # 500 resources of 20 new words and 40 pairs each (none beside a word of the text): a
    # corpus held in memory (as the checks once did) would take several MB more.
    assert big_peak < small_peak + 1_000_000
    assert kept < 200_000


@pytest.mark.parametrize(
    "body",
    [
        "- The zorblat treaty was signed.\n- Quexil pact",
        "- One.\n- Two words.\n",
        "- Visit www.\n- www com",  # what looks like a web address only does with more
        "- Crème brûlée.\n- Café",  # not ASCII: the long way
        "- A *bold* word.\n- Two",  # Markdown: the long way
        "- Two  spaces.",
        "Not a list. Two sentences.",
        "",
    ],
)
def test_plain_lists_are_counted_as_the_long_way_counts_them(body):
    cards = [("The Heading", body), ("", "- Second card here.")]
    assert corpus._PLAIN_BULLETS.fullmatch("- One.\n- Two words.\n")  # the fast path is used

    assert corpus.resource_terms("Zorblat Notes", cards) == document_terms("Zorblat Notes", cards)


def test_a_rebuild_that_counts_in_a_second_process_counts_the_same(author, monkeypatch):
    from recall.search import index

    publish("Zorblat notes", "- The zorblat treaty.\n- Again a zorblat.")
    publish("Quexil", "- A *quexil* pact, the zorblat treaty.")  # Markdown: the long way
    resource_save(author, parsed("Draft", "- Never counted."), publish=False)
    kept = counts()

    monkeypatch.setattr(index, "PARALLEL_FROM", 0)
    assert corpus.CountingWorker.available()
    assert index.search_rebuild() == 2

    assert counts() == kept


def test_a_rebuild_writes_the_counts_while_two_processes_rank_the_same(author, monkeypatch):
    # The counts are written (similar_rebuild's `meanwhile`) while two forked processes
    # rank the similar lists: the same counts and lists as one process doing each in turn.
    from recall.search import index, similar
    from recall.search.models import SimilarResource

    for n in range(5):
        publish(f"Zorblat notes {n}", f"- The zorblat treaty {'again ' * n}signed.\n- Quexil pact")
    publish("Quexil", "- A *quexil* pact, the zorblat treaty.")  # Markdown: the long way

    def lists():
        return sorted(SimilarResource.objects.values_list("resource_id", "other_id", "score"))

    index.search_rebuild()
    kept, kept_lists = counts(), lists()
    corpus.quality_clear()  # so that only the rebuild below can write them again
    calls = []
    monkeypatch.setattr(index, "PARALLEL_FROM", 0)
    monkeypatch.setattr(similar, "PARALLEL_FROM", 1)
    in_two = similar._in_two_processes

    def recorded(work, items, meanwhile=None, then=None):
        calls.append((len(items), meanwhile is not None))
        return in_two(work, items, meanwhile, then)

    monkeypatch.setattr(similar, "_in_two_processes", recorded)
    assert index.search_rebuild() == 6

    assert counts() == kept
    assert lists() == kept_lists and len(kept_lists) > 6
    # The key words (while the next round is read), then the ranking (while the counts are
    # written).
    assert calls == [(6, True), (6, True)]


@pytest.mark.parametrize("finished", [False, True])
def test_a_rebuild_given_a_counting_process_its_caller_fed_counts_the_same(author, finished):
    # bench/generate.py feeds the process as it writes the resources, then tells it that
    # was all (finish: it makes its rows meanwhile); the rebuild then only indexes, and
    # writes what the process counted.
    from recall.library.models import Card, Resource
    from recall.search import index

    publish("Zorblat notes", "- The zorblat treaty.\n- Again a zorblat.")
    publish("Quexil", "- A *quexil* pact, the zorblat treaty.")
    resource_save(author, parsed("Draft", "- Never counted."), publish=False)
    kept = counts()
    worker = corpus.CountingWorker()
    worker.add(
        [
            (r.pk, r.title, list(r.cards.order_by("position").values_list("heading", "body")))
            for r in Resource.objects.visible().order_by("pk")
        ]
    )
    if finished:
        worker.finish()
        worker.finish()  # once is what counts

    assert index.search_rebuild(counted=worker) == 2

    assert counts() == kept  # counted once: not fed again by the rebuild
    assert not worker._process.is_alive()
    assert Card.objects.count() == 3


def test_pair_rows_past_the_packed_form_are_written_too():
    # SQLite gets most pair rows as key << COUNT_BITS | count; a count past its bits or a
    # key past its room is written apart.
    counting = corpus.Counting()
    big_key = corpus.pair_key(1 << 24, 7)
    counting.pairs.update({big_key: 3, corpus.pair_key(2, 3): 300, corpus.pair_key(2, 4): 1})

    corpus._write_counts([], counting.pair_batches(connection.vendor))

    assert dict(QualityPair.objects.values_list("pair", "documents")) == {
        big_key: 3,
        corpus.pair_key(2, 3): 300,
        corpus.pair_key(2, 4): 1,
    }


def pair_primary_key() -> list:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'p'",
            [QualityPair._meta.db_table],
        )
        return cursor.fetchall()


@pytest.mark.parametrize("in_a_second_process", [False, True])
def test_a_first_build_of_the_counts_counts_what_the_writes_kept(
    author, monkeypatch, in_a_second_process
):
    # A new database: the pair table empty, so PostgreSQL builds its key after the rows.
    from recall.search import index

    publish("Zorblat notes", "- The zorblat treaty.\n- Again a zorblat.")
    publish("Quexil", "- A *quexil* pact, the zorblat treaty.")
    kept, key = counts(), pair_primary_key()
    for model in (QualityPair, QualityWord, QualityDocument):
        model.objects.all().delete()

    if in_a_second_process:
        monkeypatch.setattr(index, "PARALLEL_FROM", 0)
        assert index.search_rebuild() == 2
    else:
        assert quality_rebuild() == 2

    assert counts() == kept
    assert pair_primary_key() == key


@pytest.mark.parametrize("in_order", [False, True])
def test_postgresql_gets_the_pair_rows_as_counted_or_sorted_by_key(in_order):
    counting = corpus.Counting()
    keys = [corpus.pair_key(9, 1), corpus.pair_key(2, 7), corpus.pair_key(5, 5)]
    counting.pairs.update(keys)

    corpus._write_counts([], counting.pair_batches(connection.vendor), in_order)

    assert dict(QualityPair.objects.values_list("pair", "documents")) == dict.fromkeys(keys, 1)
    if connection.vendor == "postgresql":  # the order written is the table's own order
        with connection.cursor() as cursor:
            cursor.execute("SELECT pair FROM quality_qualitypair ORDER BY ctid")
            written = [row[0] for row in cursor.fetchall()]
        assert written == (sorted(keys) if in_order else keys)
