"""MinHash near-duplicate detection: republished texts are close, different stories far apart."""

from __future__ import annotations

from storage.dedupe import THRESHOLD, band_keys, minhash, similarity
from tests.fixtures.articles import EN_ARTICLES, IT_ARTICLES, RU_ARTICLES

ALL = RU_ARTICLES + EN_ARTICLES + IT_ARTICLES


def test_republished_with_intro_or_sign_off_is_a_copy_and_a_candidate():
    for article in ALL:
        original = "\n".join(article.paragraphs)
        copies = (
            original + " Source: the press service of the regional police department.",
            "As the ministry reported on Tuesday,\n" + original,
        )
        for copy in copies:
            assert similarity(minhash(original), minhash(copy)) >= THRESHOLD
            assert set(band_keys(minhash(original))) & set(band_keys(minhash(copy)))
        assert (minhash(original) == minhash(original)).all()  # deterministic


def test_different_stories_are_not_copies():
    texts = ["\n".join(a.paragraphs) for a in ALL]
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            assert similarity(minhash(a), minhash(b)) < 0.2
