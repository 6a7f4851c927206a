"""The kind of a file: a recognised layout's, else the kind whose suggested mapping explains the file's
columns best (:func:`kind_scores`, :func:`guess_kind`)."""

from __future__ import annotations

import pandas as pd

from data import presets as presets_mod
from data.schema import KINDS, is_satisfied

from .suggest import suggest_mapping

UNMET_PENALTY = 1.0  # a required field group no column satisfies costs as much as one sure column


def kind_scores(columns: list[str], sample: pd.DataFrame | None = None) -> dict[str, float]:
    """How well each kind explains the file, from all its columns: the confidences of every field the
    kind's mapping finds (each column serves one field) minus :data:`UNMET_PENALTY` per required group
    left unmapped. A required field the export splits off (an orders header without amounts, the amounts
    in a payments file) costs one column's worth, not the whole kind.

    Parameters
    ----------
    columns : list[str]
        The file's headers.
    sample : pd.DataFrame | None
        First rows, or None.

    Returns
    -------
    dict[str, float]
        Kind -> score.
    """
    out: dict[str, float] = {}
    for name, k in KINDS.items():
        sugg = suggest_mapping(columns, name, sample)
        unmet = len(is_satisfied(k, set(sugg)))
        out[name] = round(sum(float(m.confidence) for m in sugg.values()) - UNMET_PENALTY * unmet, 6)
    return out


def guess_kind(columns: list[str], sample: pd.DataFrame | None = None) -> str:
    """The kind of a file: a recognised layout's kind (data/presets.py), else the best
    :func:`kind_scores` (ties: the earlier kind in data/schema.py's order, orders first).

    Parameters
    ----------
    columns : list[str]
        The file's headers.
    sample : pd.DataFrame | None
        First rows, or None.

    Returns
    -------
    str
        The kind.
    """
    preset = presets_mod.detect([str(c) for c in columns])
    if preset is not None:
        return preset.kind
    scores = kind_scores([str(c) for c in columns], sample)
    return max(scores, key=lambda k: (scores[k], -list(KINDS).index(k)))
