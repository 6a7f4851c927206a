"""What a page computes on: the lines of its datasets as engine tables.

Every page module offers ``fit(tables, params)`` and ``present(result, params, lang)``: ``tables`` is
``dict[kind, ibis.Table]``, so the aggregations run where the lines are stored and Python holds the
aggregates. ``Inputs.of_store`` scans the stored revisions' parts; ``Inputs.of_frames`` registers frames a
caller already holds (tests, ``compute`` wrappers). A module with only ``compute(frames, params, lang)``
can still be run on ``of_frames`` inputs, never on stored datasets: no page loads a dataset whole.
"""

from __future__ import annotations

from typing import Any, Callable

import pandas as pd

DatasetKey = tuple[tuple[str, int, int], ...]  # (kind, dataset id, revision)


class Inputs:
    """The datasets of one page run. ``frames()`` and ``tables()`` load lazily, once."""

    def __init__(self, datasets: DatasetKey, *, frames: Callable[[], dict[str, pd.DataFrame]] | None = None,
                 tables: Callable[[], dict[str, Any]] | None = None) -> None:
        self.datasets = tuple(datasets)
        self._load_frames = frames
        self._load_tables = tables
        self._frames: dict[str, pd.DataFrame] | None = None
        self._tables: dict[str, Any] | None = None

    @property
    def kinds(self) -> set[str]:
        """The dataset kinds of the run.

        Returns
        -------
        set[str]
            The kinds of ``datasets``.
        """
        return {k for k, _, _ in self.datasets}

    def frames(self) -> dict[str, pd.DataFrame]:
        """The datasets as canonical frames, loaded once (RuntimeError for stored datasets, which are never read
        whole).

        Returns
        -------
        dict[str, pd.DataFrame]
            Kind -> frame.
        """
        if self._frames is None:
            if self._load_frames is None:
                raise RuntimeError("stored datasets are read as engine tables (fit/present), never whole")
            self._frames = self._load_frames()
        return self._frames

    def tables(self) -> dict[str, Any]:
        """The datasets as engine tables, loaded once (registered from the frames when no table loader was
        given).

        Returns
        -------
        dict[str, Any]
            Kind -> Ibis table.
        """
        if self._tables is None:
            if self._load_tables is None:
                from data import engine

                self._tables = engine.tables_from_frames(self.frames())
            else:
                self._tables = self._load_tables()
        return self._tables

    @classmethod
    def of_frames(cls, frames: dict[str, pd.DataFrame]) -> "Inputs":
        """Frames a caller already holds (tests, small data); tables are registered from them on demand.

        Parameters
        ----------
        frames : dict[str, pd.DataFrame]
            Kind -> canonical frame (``attrs`` may carry ``dataset_id`` and ``revision`` for the key).

        Returns
        -------
        'Inputs'
            Inputs keyed by (kind, dataset id, revision), 0 where unknown.
        """
        key = tuple((k, int(df.attrs.get("dataset_id", 0) or 0), int(df.attrs.get("revision", 0) or 0))
                    for k, df in frames.items())
        inp = cls(key)
        inp._frames = dict(frames)
        return inp

    @classmethod
    def of_store(cls, datasets: DatasetKey, *, engine: Any = None) -> "Inputs":
        """Datasets in the store: tables that scan the revisions' parts where they lie.

        Parameters
        ----------
        datasets : DatasetKey
            (kind, dataset id, revision) of each dataset.
        engine : Any
            The engine to scan with (None: the default one).

        Returns
        -------
        'Inputs'
            Inputs whose tables scan the stored parts.
        """
        from data import repository

        def tables() -> dict[str, Any]:
            return {k: repository.lines_table(dataset_id=i, revision=r, engine=engine) for k, i, r in datasets}

        return cls(datasets, tables=tables)


def as_inputs(x: "Inputs | dict[str, pd.DataFrame]") -> Inputs:
    """``x`` as :class:`Inputs` (frames are wrapped with :meth:`Inputs.of_frames`).

    Parameters
    ----------
    x : 'Inputs | dict[str, pd.DataFrame]'
        Inputs, or kind -> canonical frame.

    Returns
    -------
    Inputs
        The inputs.
    """
    return x if isinstance(x, Inputs) else Inputs.of_frames(x)


def uses_engine(mod: Any) -> bool:
    """Whether a page module computes on engine tables (``fit`` + ``present``).

    Parameters
    ----------
    mod : Any
        A page module.

    Returns
    -------
    bool
        True when it has callable ``fit`` and ``present``.
    """
    return callable(getattr(mod, "fit", None)) and callable(getattr(mod, "present", None))


def fit_params(mod: Any, params: dict) -> dict:
    """The parameters a module's fit depends on: its ``FIT_PARAMS`` when it declares them (display
    options then never refit), else all of them. The language is never one.

    Parameters
    ----------
    mod : Any
        A page module.
    params : dict
        The page's parameters.

    Returns
    -------
    dict
        The subset of ``params`` named in ``FIT_PARAMS`` plus ``start`` and ``end`` (all of them without
        FIT_PARAMS).
    """
    names = getattr(mod, "FIT_PARAMS", None)
    if names is None:
        return dict(params)
    keep = set(names) | {"start", "end"}
    return {k: v for k, v in params.items() if k in keep}
