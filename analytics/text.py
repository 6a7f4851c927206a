"""Word and phrase frequencies of free-text comments in Chinese and English.

Chinese text is segmented with jieba (precise mode, the default dictionary); English text is lower-cased
and split on letters/apostrophes. Stop words (a short list for each language, plus punctuation, numbers
and single Latin letters) are dropped. Phrases are adjacent pairs of kept words within one comment, never
across a stop word or punctuation (bigrams; Chinese pairs joined without a space, English with one). Counts are document
frequencies: how many comments use the word or phrase (one chatty comment cannot dominate).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import lru_cache
from typing import Iterable

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
PUNCT = re.compile(r"[.,!?;:()\[\]{}\"“”‘’…/|\n\t—–-]+")
ZH_KEEP = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fffA-Za-z][\u3400-\u4dbf\u4e00-\u9fffA-Za-z0-9]*$")

STOP_EN = frozenset(
    """a about above after again all also am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further get got had has have having
    he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on
    once only or other our ours out over own same she should so some such than that the their theirs them
    then there these they this those through to too under until up us very was we were what when where which
    while who whom why will with would you your yours i'm it's don't didn't isn't wasn't i've i'd you're
    one really much even still would could get got will just also""".split()
)
# Negations are deliberately NOT stop words: "not good" must stay visible in phrases.
STOP_EN = STOP_EN - {"no", "not", "nor", "don't", "didn't", "isn't", "wasn't"}

STOP_ZH = frozenset(
    """的 了 是 我 你 他 她 它 们 我们 你们 他们 这 那 这个 那个 就 都 也 还 和 与 及 或 在 有 很 非常 太 又 吧 吗 呢 啊 呀 哦 嗯 哈
    着 过 被 把 给 对 让 从 到 就是 还是 但是 而且 因为 所以 如果 一个 一些 一下 一点 一次 什么 怎么 这样 那样 可以 已经 没 自己
    真的 感觉 觉得 东西 然后 不过 而 之 以 等 个 次 件 点 下 上 里 啦 哟 嘛 么 得 地 会 要 说 想 看 用 买 来 去""".split()
)
# "不" / "没有" / "不错" carry sentiment and are kept.


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def is_chinese(text: str) -> bool:
    """Whether the text holds a CJK character.

    Parameters
    ----------
    text : str
        Any text (None: False).

    Returns
    -------
    bool
        True when it does.
    """
    return bool(CJK.search(text or ""))


def runs(text: str) -> list[list[str]]:
    """Kept words of one comment as runs: a stop word or punctuation ends a run (phrases never cross it).

    Parameters
    ----------
    text : str
        One comment.

    Returns
    -------
    list[list[str]]
        The runs of kept, lower-cased words.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    out: list[list[str]] = [[]]
    if is_chinese(text):
        for w in _jieba().lcut(text):
            w = w.strip().lower()
            if not w:
                continue
            if w in STOP_ZH or w in STOP_EN or not ZH_KEEP.match(w) or (not CJK.search(w) and len(w) < 2):
                out.append([])
                continue
            out[-1].append(w)
    else:
        for clause in PUNCT.split(text.lower()):
            out.append([])
            for piece in re.split(r"[^a-z']+", clause):
                w = piece.strip("'")
                if not w:
                    continue
                if w in STOP_EN or len(w) < 2:
                    out.append([])
                    continue
                out[-1].append(w)
    return [r for r in out if r]


def tokens(text: str) -> list[str]:
    """Kept words of one comment, in order (Chinese via jieba, everything else as English).

    Parameters
    ----------
    text : str
        One comment.

    Returns
    -------
    list[str]
        The kept words.
    """
    return [w for r in runs(text) for w in r]


def bigrams(words: list[str]) -> list[str]:
    """The adjacent word pairs of a run (joined without a space between two Chinese words).

    Parameters
    ----------
    words : list[str]
        One run of words.

    Returns
    -------
    list[str]
        The phrases.
    """
    out = []
    for a, b in zip(words, words[1:]):
        sep = "" if (CJK.search(a) and CJK.search(b)) else " "
        out.append(a + sep + b)
    return out


def top_terms(comments: Iterable[str], k: int = 20, *, min_count: int = 2) -> dict:
    """Most frequent words and phrases: {"words": [{term, count, share}], "phrases": [...], "n_comments"}.

    ``count`` is the number of comments using the term, ``share`` that count over the comments with text.
    Terms seen in fewer than ``min_count`` comments are left out (1 when there are under 20 comments).

    Parameters
    ----------
    comments : Iterable[str]
        The comments (non-text and blank entries are skipped).
    k : int
        Most terms per list.
    min_count : int
        Fewest comments a term must appear in.

    Returns
    -------
    dict
        ``n_comments``, ``n_chinese``, ``words`` and ``phrases`` (rows: term, count, share).
    """
    words: Counter[str] = Counter()
    phrases: Counter[str] = Counter()
    n = 0
    n_zh = 0
    for c in comments:
        if not isinstance(c, str) or not c.strip():
            continue
        n += 1
        n_zh += is_chinese(c)
        rs = runs(c)
        words.update({w for r in rs for w in r})
        phrases.update({b for r in rs for b in bigrams(r)})
    floor = 1 if n < 20 else min_count

    def rows(counter: Counter[str]) -> list[dict]:
        items = sorted(((t, c) for t, c in counter.items() if c >= floor), key=lambda x: (-x[1], x[0]))[:k]
        return [{"term": t, "count": int(c), "share": c / n if n else None} for t, c in items]

    return {"n_comments": n, "n_chinese": n_zh, "words": rows(words), "phrases": rows(phrases)}
