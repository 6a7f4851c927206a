"""The project's own validation error for ingest.

Every problem with a user's file (cannot be read, wrong encoding, required field missing, too many bad
rows, ...) is raised as :class:`IngestError`; its message is meant for the user and names the file, row,
column and reason where known. Anything else escaping ingest is a bug.
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
        """Attach a file name (when the raiser did not know it) and return self for re-raising."""
        if file and not self.file:
            self.file = file
        return self
