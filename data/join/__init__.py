"""Several files, one dataset: detect how the files of one export relate and join them in the engine.

A marketplace export often comes as several files (Olist: orders, order items, payments, customers).
Each file is read by :mod:`data.reader` (encodings, title rows, totals rows, limits) into the engine as a
table of text cells with its source line (``__line__``); big files on disk are read block by block into
a temporary Parquet file, so no file is held whole in memory. Everything after that runs in the engine
(Ibis over DuckDB): the relation checks (distinct keys, values in common, repeated keys) and the join.

Relations (:func:`detect`)
    Two files relate through a column of the same name (case-, space- and punctuation-insensitive)
    that is a key: unique in one of the uploaded files, or named like an id (``..._id``, ``订单号``), and
    whose values the two files have in common. Each side is *one* (every key value on one row) or
    *many*.
The plan (:func:`plan`)
    The base is the lines file: a *many* side of a key (several rows per order), with the most
    product / price columns of the kind (:func:`data.mapping.suggest_mapping`), then the most rows
    (Olist: the order items). Every other file is joined to the base or to a file joined before it,
    preferring a key unique in the joined file (the order header on ``order_id``, then the customers
    on ``customer_id``). A file with several rows per key (payments per order) is aggregated per key
    before it is joined, so it never repeats a line: money columns summed, counts and sequence numbers
    their maximum, text the value on the row with the largest amount (the payment type of the largest
    payment). Where the customer file has a person id beside its key (Olist's ``customer_unique_id``
    beside the order-scoped ``customer_id``), the person id is the customer (:attr:`JoinPlan.person`).
    The user can change the base and every key (:func:`plan` arguments); a join that would repeat lines
    (a key not unique in the joined file and not aggregated) or shares no value is refused with a
    message naming the files and columns.
The result (:func:`joined`)
    One row per row of the base file, in its order, with its line numbers: the base's columns, then each
    joined file's (its key dropped; a name already taken gets the file's name in front). The fields the
    plan knows (:func:`known_mapping`: order date from the header file, customer = person id, amount =
    the line's price) are given to the mapping review as settled guesses.

Modules: sources (the files in the engine), relations (detect), planning (plan, JoinPlan), result
(joined, known_mapping, raw_table, JoinedStream, parse_join_args).
"""

from __future__ import annotations

from .sources import LINE, MAX_FILES, SourceFile, Sources
from .relations import Relation, detect, files_relate, header_columns
from .planning import Join, JoinPlan, plan
from .result import JoinedStream, head, joined, known_mapping, parse_join_args, raw_table, stem
