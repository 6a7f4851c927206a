"""analytics.text: jieba segmentation for Chinese, tokens and bigrams for English."""

from __future__ import annotations

from analytics import text

ZH = [
    "物流很快，包装很好，质量不错",
    "质量不错，价格便宜，物流很快",
    "客服态度很差，物流太慢了",
    "质量一般，物流很快",
    "这个东西真的很好用，物流很快",
]


def test_jieba_segments_chinese_and_drops_stop_words():
    words = text.tokens("物流很快，包装很好，质量不错")
    assert words[:2] == ["物流", "很快"]
    assert "质量" in words and "不错" in words
    toks = text.tokens("这个东西真的很好用，物流很快")
    assert "这个" not in toks and "东西" not in toks and "真的" not in toks
    assert "，" not in toks


def test_top_chinese_words_and_phrases():
    r = text.top_terms(ZH, 5)
    assert r["n_comments"] == 5 and r["n_chinese"] == 5
    words = {w["term"]: w["count"] for w in r["words"]}
    # "物流" is in all five comments, "很快" in four, "质量" in three
    assert r["words"][0]["term"] == "物流" and r["words"][0]["count"] == 5
    assert r["words"][0]["share"] == 1.0
    assert words["很快"] == 4 and words["质量"] == 3
    phrases = {p["term"]: p["count"] for p in r["phrases"]}
    assert r["phrases"][0]["term"] == "物流很快" and phrases["物流很快"] == 4
    assert phrases["质量不错"] == 2
    # phrases never cross punctuation: "很好" and "质量" are split by a comma in comment 1
    assert not any(p["term"] in ("好质量", "很好质量") for p in r["phrases"])


def test_english_tokens_bigrams_and_negations():
    assert text.tokens("Fast delivery, and GREAT quality!") == ["fast", "delivery", "great", "quality"]
    assert "not" in text.tokens("The quality is not good")
    r = text.top_terms(["Fast delivery and great quality", "Delivery was slow, not good quality",
                        "great quality, fast delivery!"], 10)
    phrases = {p["term"]: p["count"] for p in r["phrases"]}
    assert phrases["fast delivery"] == 2 and phrases["great quality"] == 2 and phrases["not good"] == 1
    # "and" is a stop word: no phrase across it
    assert "delivery great" not in phrases
    assert r["words"][0]["term"] in ("delivery", "quality") and r["words"][0]["count"] == 3


def test_counts_are_per_comment_and_empty_input_is_safe():
    r = text.top_terms(["love love love it", "love it", None, "", "   "], 5)
    assert r["n_comments"] == 2
    assert r["words"][0] == {"term": "love", "count": 2, "share": 1.0}
    assert text.top_terms([], 5) == {"n_comments": 0, "n_chinese": 0, "words": [], "phrases": []}
    assert text.tokens(None) == []


def test_min_count_applies_from_twenty_comments():
    comments = ["apple banana"] * 19 + ["cherry"]
    r = text.top_terms(comments, 10, min_count=2)
    assert [w["term"] for w in r["words"]] == ["apple", "banana"]


def test_english_phrases_do_not_cross_punctuation():
    r = text.top_terms(["Fast delivery, great quality"], 10)
    phrases = [p["term"] for p in r["phrases"]]
    assert phrases == ["fast delivery", "great quality"]
