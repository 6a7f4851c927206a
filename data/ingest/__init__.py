"""Ingest: file bytes -> read -> map -> parse -> validate -> load, in ONE transaction.

Two steps so the Data page can show a preview and a validation report before anything is stored:

    prepared = prepare(content, filename="x.csv", kind="orders", overrides={"amount": "实付金额"})
    info = commit(prepared, name="June orders", uploaded_by="ana")

``ingest_bytes`` / ``ingest_file`` do both. Every problem with the user's file is an
:class:`data.errors.IngestError` with a one-line message naming file, row, column and reason; nothing
is stored unless the whole upload commits.

Big delimited text files (``ingest_file``, the command line: plain or gzip text over
:data:`STREAM_MIN_BYTES`) stream instead (:func:`ingest_stream`): the head is read and mapped as above,
then the file is parsed block by block (``reader.TextStream``), each block converted with the same
mapping code (``mapping.to_canonical(..., choices=...)``) and staged as one part
(``repository.stage_part``); the parts are named in the catalogue in one transaction at the end
(``repository.commit_parts``), or removed when the file is refused. Memory stays that of a few blocks
whatever the file's size; the stored lines are the ones the whole-file path stores. A file the block
reader cannot number exactly (a quoted value spanning lines, a ragged row) is read whole when it is at
most :data:`WHOLE_FILE_MAX_BYTES`, else refused with the line that stopped it.

Several files of one export (:mod:`data.join`: Olist's orders, items, payments, customers) make one
dataset: :func:`prepare_joined` (the Data page: joined in the engine, then reviewed like one file) and
:func:`ingest_files` (the command line: the joined lines streamed through the same staged parts).

Modules: whole (prepare, commit, ingest_bytes, the hashes), stream (ingest_stream and its passes),
disk (ingest_file and the size thresholds STREAM_MIN_BYTES / WHOLE_FILE_MAX_BYTES, their one home),
joined (prepare_joined, ingest_files).
"""

from __future__ import annotations

from .whole import (JOIN_CONFIDENCE, MAX_BAD_SHARE, Prepared, Progress, commit, content_hash, default_name, file_hash,
                    guess_kind, ingest_bytes, prepare)
from .joined import ingest_files, joined_hash, prepare_joined
from .stream import MAX_ERRORS_KEPT, ingest_stream
from .disk import STREAM_MIN_BYTES, WHOLE_FILE_MAX_BYTES, ingest_file
