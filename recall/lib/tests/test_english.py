"""The compact table of common English words agrees with wordfreq; pure, no database."""

from __future__ import annotations

from wordfreq import top_n_list, zipf_frequency

from recall.lib import english


def test_zipf_is_wordfreqs_down_to_the_floor_and_0_below_it():
    # wordfreq's own tokenizer keeps these whole; the last two are below the floor.
    words = [*top_n_list("en", 2000, wordlist="large")[::50], "naïve", "kruschev", "missle"]
    for word in words:
        expected = zipf_frequency(word, "en", wordlist="large")
        assert english.zipf(word) == (expected if expected >= english.MIN_ZIPF else 0.0), word
    assert english.zipf("kruschev") == 0.0 and english.frequency("missle") == 0.0
    assert english.zipf("") == 0.0


def test_common_words_holds_the_tables_words_most_common_first():
    common = english.common_words()
    frequencies = list(common.values())

    assert len(common) > 25_000
    assert frequencies == sorted(frequencies, reverse=True)
    assert all(english.frequency(word) == frequency for word, frequency in common.items())
    assert min(frequencies) >= 10 ** (english.MIN_ZIPF - 9)
