"""The project's own errors, each a one-line message meant for the user.

Every problem with a user's file (cannot be read, wrong encoding, required field missing, too many bad
rows, ...) is raised as :class:`IngestError`; its message names the file, row, column and reason where
known. A change the acting user may not make is :class:`NotAllowed` (who owns it, which role is needed);
a fault of the store's environment (locked, full, read-only, missing folder, bad DATABASE_URL) is
:class:`StoreError`. Anything else escaping ingest or the repository is a bug.
"""

from __future__ import annotations


def _short(value: object, limit: int = 60) -> str:
    text = str(value)
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class IngestError(Exception):
    """A file (or a cell in it) that ingest cannot accept; ``str(e)`` is a one-line user message."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        reason: str = "",
        value: object = None,
    ) -> None:
        self.message = message
        self.file = file or None
        self.row = row
        self.column = column
        self.reason = reason or message
        self.value = value
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file:
            where.append(f"file '{self.file}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = " ".join(self.message.split())  # one line
        if self.value is not None and "value" not in text:
            text += f" (value '{_short(self.value)}')"
        return f"{', '.join(where)}: {text}" if where else text

    def __str__(self) -> str:  # re-render: file may be attached after construction
        return self._render()

    def with_file(self, file: str | None) -> "IngestError":
        """Attach a file name (when the raiser did not know it) and return self for re-raising.

        Parameters
        ----------
        file : str | None
            The file's name, or None.

        Returns
        -------
        'IngestError'
            The same error.
        """
        if file and not self.file:
            self.file = file
        return self


# ---------------------------------------------------------------- who may change what


NOT_ALLOWED = {
    # English text of each refusal; analytics/locales/datasets.json holds the same under "denied.<reason>"
    "role": "{user} ({role}) may not {action} {target}: the {need} role is needed",
    "owner": ("{user} ({role}) may not {action} {target}: it belongs to {owner}; an analyst may change only "
              "what they uploaded, and the admin role is needed to change someone else's"),
    "unknown_user": "user '{user}' is not in the users file ({path}); add them with 'python -m data users add' first",
}
ACTION_WORDS = {"append": "append to", "replace": "replace", "rename": "rename", "delete": "delete",
                "update": "change", "upload": "upload", "save": "save"}
TARGET_WORDS = {"dataset": "dataset #{id} '{name}'", "object": "saved item #{id} '{name}'",
                "datasets": "datasets", "presets": "mapping presets", "objects": "saved results"}


class NotAllowed(PermissionError):
    """A change that the acting user's role (or ownership) does not allow, refused where the write happens.

    ``str(e)`` is one English sentence saying who owns the target and which role is needed;
    ``analytics.datasets.fault_message`` renders the same in the user's language from the attributes.
    """

    def __init__(self, reason: str, *, user: str, role: str = "", action: str = "", target: str = "",
                 target_id: int | None = None, target_name: str = "", owner: str = "", need: str = "",
                 path: str = "") -> None:
        self.reason, self.user, self.role, self.action = reason, user, role, action
        self.target, self.target_id, self.target_name = target, target_id, target_name
        self.owner, self.need, self.path = owner, need, path
        super().__init__(self._render())

    def _render(self) -> str:
        target = TARGET_WORDS.get(self.target, self.target).format(id=self.target_id, name=_short(self.target_name))
        return NOT_ALLOWED[self.reason].format(
            user=self.user or "(nobody)", role=self.role or "no role", action=ACTION_WORDS.get(self.action, self.action),
            target=target, owner=self.owner or "nobody (an old upload)", need=self.need, path=self.path)

    def __str__(self) -> str:
        return self._render()


# ---------------------------------------------------------------- environment faults

class EngineMemoryError(MemoryError):
    """The engine ran out of the memory it may use (DuckDB's ``memory_limit``: ``PRISM_ENGINE_MEMORY``, or
    DuckDB's default of 80% of the machine) while computing a result. Nothing stored has changed; a shorter
    date range, a filter or a higher limit gets the result. ``limit`` is the setting as DuckDB reports it."""

    def __init__(self, limit: str) -> None:
        self.limit = limit
        super().__init__(f"the engine ran out of its memory limit ({limit})")


STORE_MESSAGES = {
    # English text of each fault; analytics/locales/datasets.json holds the same under "store.<code>"
    "busy": ("the database is busy (locked by another writer for more than {seconds} s); nothing was changed; "
             "try again"),
    "full": "the disk is full (the database could not grow); nothing was changed; free some space and try again",
    "readonly": ("the database file is read-only ({path}); nothing was changed; make the file and its folder "
                 "writable for the app's user"),
    "cannot_open": ("the database file cannot be opened ({path}): its folder is missing or not writable; "
                    "check DATABASE_URL"),
    "io": "the disk reported an input/output error on the database file ({path}); nothing was changed",
    "corrupt": "the database file is damaged or is not a database ({path})",
    "bad_url": "DATABASE_URL is not a usable database address ({detail})",
    "unreachable": "the database server named by DATABASE_URL cannot be reached ({detail}); nothing was changed",
    "bad_setting": "the setting {setting} must be {expected}, not '{value}'",
    "other": "the database refused the operation ({detail}); nothing was changed",
    "lines_full": ("the disk holding the dataset lines is full ({path}); nothing was changed; free some space and "
                   "try again"),
    "lines_readonly": ("the folder holding the dataset lines is not writable ({path}); nothing was changed; make it "
                       "writable for the app's user or set PRISM_LINES_DIR"),
    "lines_io": "the dataset lines cannot be read or written ({path}: {detail}); nothing was changed",
}


class StoreError(Exception):
    """An environment fault of the store (locked, full, read-only, missing folder, bad DATABASE_URL, ...).

    Raised by ``data.repository`` (translated from SQLAlchemy's OperationalError / DatabaseError and
    sqlite3's errors by ``data.db.store_error``); the transaction has been rolled back, so nothing stored
    has changed. ``str(e)`` is one English sentence; ``code`` and ``params`` let the UI translate it.
    """

    def __init__(self, code: str, **params: object) -> None:
        self.code = code if code in STORE_MESSAGES else "other"
        self.params = {k: _short(v, 160) for k, v in params.items()}
        super().__init__(self._render())

    def _render(self) -> str:
        try:
            return STORE_MESSAGES[self.code].format(**self.params)
        except (KeyError, IndexError):
            return STORE_MESSAGES["other"].format(detail=self.code)

    def __str__(self) -> str:
        return self._render()
