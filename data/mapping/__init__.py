"""Map source columns to canonical fields, convert a :class:`RawTable` to a canonical frame, validate.

Pure functions; the lead's ingest pipeline calls them in this order::

    raw = reader.read_table(content, filename=...)
    suggested = suggest_mapping(list(raw.frame.columns), kind, raw.frame.head(500))   # field -> FieldMatch
    mapping = apply_overrides(suggested, {"order_id": "1", ...}, list(raw.frame.columns), kind=kind)
    converted = to_canonical(raw, kind, mapping, source_name=filename)              # Converted
    frame = validate(converted, max_bad_share=0.05, keep_good_rows=None)             # rows to load

Matching (:func:`suggest_mapping`)
    Headers and synonyms from ``data/schema.py`` are compared with ``schema.normalise_header`` (case,
    width, spaces and punctuation ignored). Scores: the field's own name 1.0 ("exact"); a synonym
    0.95 minus 0.002 per position in the synonym list, so earlier synonyms win ties (实付金额 before
    金额 for amount) ("synonym"); a header that *contains* a synonym (``实付金额(元)``, ``Order Date
    (UTC)``) 0.5-0.85 by how much of the header the synonym covers ("fuzzy"); a near-miss spelling of
    a Latin synonym (difflib ratio >= 0.85, e.g. ``Quantiy``) ("fuzzy"). With a sample, the content is
    checked: a date field whose column parses as dates gains 0.03, a typed field whose column mostly
    fails to parse is halved (and a fuzzy match dropped: ``coupon code`` full of ``X1`` is no discount); a required date field still unmatched is taken from the first unused
    column that is >= 95 % dates ("content", 0.5); orders with neither an amount nor a unit price matched
    by name take the first unused column that holds money by content and name (:func:`money_column`:
    numbers with cents, a money token such as ``value``, ``paid`` or ``金额``, no id / count / year
    token; Olist's ``payment_value``) ("content", 0.8). Assignment is greedy by score: every column serves
    at most one field and every field gets at most one column. Columns named "1".."n" (headerless
    files) never match by name; map them by position with overrides.
Presets (data/presets.py)
    A file whose headers match a known export layout (Robyn, Meridian, Meta Ads, Google Ads, GA4, 巨量千川,
    生意参谋, 京东商智) takes that layout's columns first, at confidence 0.97 (method "preset",
    ``FieldMatch.preset`` = the layout's key; a one-platform export fixes ``channel``, e.g. ``=Meta``);
    the name matching fills the other fields, and the conversion notes name the layout.
Kind (:func:`guess_kind`)
    A recognised layout's kind; else every kind's mapping is suggested and scored over all the file's
    columns (the sum of the confidences, minus 1 per required group left unmapped): an Olist orders
    header without amounts still reads as orders, not customers (its customer_id is one column of many).
Overrides (:func:`apply_overrides`)
    ``{"order_id": "InvoiceNo"}`` or by 1-based position ``{"customer_id": "2"}``; an empty value
    (or ``-``) unmaps a field. An unknown field or column raises IngestError naming it.
Conversion (:func:`to_canonical`)
    Every field of the kind becomes a typed column (data/schema.py types; docs/architecture.md);
    unmapped source columns are kept as ``attr_<name>`` (float when every value parses as a number and
    none has a leading zero like a zip code, text otherwise). A required field that is unmapped raises
    IngestError; a date column in which no value parses raises IngestError. A cell that cannot be
    parsed, or a missing value in a required field, is one error row (line number, source column,
    value, reason) and marks its row bad.
    Orders: ``amount`` = quantity x unit_price when no amount column is mapped (unit_price alone when
    quantity is not mapped either: each line one unit); ``order_id`` = "L<line number>" when unmapped;
    ``is_return`` = quantity < 0, or an amount < 0 (given, or computed from a negative unit price as
    in Online Retail's "Adjust bad debt" lines: gross sales never hold a negative line), or an order
    id that marks a cancellation (:func:`cancellation_ids`: ``C`` before digits, where the other ids
    are digits), or a status naming a refund / return / cancellation (refund, return, cancel,
    chargeback, 退款, 退货, 取消, 关闭, 售后) unless negated (无退款, no refund, 退款关闭 ...). Returns
    are flagged, never dropped. Experiments: ``unit_id`` = "1".."n" when unmapped.
    Id-like text fields (``*_id``) written as ``12345.0`` throughout (a float export) lose the ``.0``.
Chunked conversion (streaming ingest)
    A big file is converted block by block with ``to_canonical(chunk, ..., choices=Choices(),
    first_row=rows_before)``. What the whole-file conversion decides from a whole column is fixed
    across chunks by :class:`Choices` (an ``attr_`` column read as numbers or text, an id's ``.0``
    dropped, a/b/yyyy dates read day first); a choice not given is taken from the chunk at hand and
    returned in ``Converted.choices``. Each chunk also reports :class:`Facts` (what it shows about
    those choices); summed over every chunk, ``Facts.choices()`` is what the whole-file conversion
    would have chosen, so the caller converts again when a choice it applied turns out different. A
    date column in which no value parses is not an error per chunk: ``Facts.check`` raises it once.
Validation (:func:`validate`)
    Returns the frame to load. No bad rows: the whole frame. Bad rows: with ``keep_good_rows=None``
    (default) the file is rejected when more than ``max_bad_share`` (5 %) of rows are bad, otherwise the
    good rows are kept; ``keep_good_rows=True`` keeps the good rows whatever the share (unless none is
    good); ``keep_good_rows=False`` rejects the file on any bad row. Rejection raises IngestError whose
    message names the count, the share and the first error (line, column, value, reason).

Modules: base (the result types, return markers, the kind lookup), suggest (:func:`suggest_mapping`), kind
(:func:`guess_kind`), overrides (:func:`apply_overrides`), conversion (:func:`to_canonical`) and validation
(:func:`validate`).
"""

from __future__ import annotations

from .base import _NOT_RETURN, RETURN_STATUS, Choices, Converted, Facts, FieldMatch, cancellation_ids
from .conversion import MAX_ABS_NUMBER, to_canonical
from .kind import UNMET_PENALTY, guess_kind, kind_scores
from .overrides import FIXED, SURE, apply_overrides, doubtful, fixed_value, review_overrides
from .suggest import MONEY_TOKENS, NOT_MONEY, PRESET_CONFIDENCE, money_column, suggest_mapping
from .validation import check_bad_rows, validate

__all__ = ["FieldMatch", "Converted", "Choices", "Facts", "suggest_mapping", "apply_overrides", "to_canonical",
           "validate", "check_bad_rows", "RETURN_STATUS", "guess_kind", "PRESET_CONFIDENCE"]
# also used elsewhere: cancellation_ids, MONEY_TOKENS, NOT_MONEY, money_column, kind_scores, FIXED, fixed_value,
# SURE, doubtful, review_overrides, _NOT_RETURN (data.connect); every public name of the module is kept
