"""What the cache layer (:mod:`analytics.cached`) serves that needs no Streamlit, moved out of it verbatim
(issue 13). analytics.cached stays the only module with ``st.cache_*`` and the pages' single door: it
re-exports these names, and pages call them through it. Nothing here imports streamlit or analytics.cached.

Modules: keys (DatasetKey, ParamKey, freeze_params / thaw_params), presented (Presented, the shared page
result and what the screen prepares from it; source_of), store (reads of the store that are never cached:
catalogue_stamp, inputs, saved objects, presets, revisions, ledger entries, store_params), swr (the
stale-while-revalidate bookkeeping: its lock and bounded records, Shown, Refresh, older, note_shown,
stale_view, holds_fit, forget_stale; the refresh thread stays in analytics.cached), uploads (uploads and
warehouse connections checked before anything is stored).
"""

from __future__ import annotations

from .keys import DatasetKey, ParamKey, freeze_params, thaw_params
from .presented import Presented, source_of
from .store import (LEDGER_PAGES, catalogue_stamp, get_object, inputs, ledger_entries, list_objects, list_presets,
                    revisions, store_params)
from .swr import (REFRESH_MAX_S, SERVED_SIZE, STALE_MAX_S, SWR_SIZE, Refresh, Shown, forget_stale, holds_fit,
                  note_shown, older, stale_view)
from .uploads import (default_dataset_name, files_relate, guess_kind, plan_connection, prepare_joined_upload,
                      prepare_upload, warehouse_tables)

__all__ = [
    # keys
    "DatasetKey", "ParamKey", "freeze_params", "thaw_params",
    # shared results
    "Presented", "source_of",
    # reads of the store
    "catalogue_stamp", "inputs", "list_objects", "get_object", "list_presets", "revisions", "ledger_entries",
    "store_params", "LEDGER_PAGES",
    # stale while revalidate
    "SWR_SIZE", "STALE_MAX_S", "REFRESH_MAX_S", "SERVED_SIZE", "Shown", "Refresh", "older", "note_shown",
    "stale_view", "holds_fit", "forget_stale",
    # uploads and connections
    "default_dataset_name", "guess_kind", "prepare_upload", "prepare_joined_upload", "files_relate",
    "warehouse_tables", "plan_connection",
]
