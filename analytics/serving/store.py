"""Reads of the store that are never cached: the catalogue's stamp (the dataset lists' cache key), a page
run's engine inputs, saved objects, presets and revisions, the incrementality ledger's entries and the fit
parameters a page reads from the catalogue (:func:`store_params`, merged into its cache keys)."""

from __future__ import annotations

from analytics.inputs import Inputs
from data import repository

from .keys import DatasetKey, ParamKey, freeze_params, thaw_params


def catalogue_stamp() -> str:
    """The catalogue's current stamp (``repository.catalogue_stamp``: one small query, never cached), so
    every rerun of every server process sees a dataset written through any other process. Connected
    warehouse tables are checked first (at most every ``PRISM_CONNECT_CHECK_S`` seconds each): a changed
    table is a new revision, so the stamp, the lists and every result keyed on the revision follow.

    Returns
    -------
    str
        The stamp.
    """
    repository.refresh_connected()
    return repository.catalogue_stamp()


def inputs(datasets: DatasetKey) -> Inputs:
    """A page run's datasets as engine tables over the revisions' parts (cheap to build, never cached
    across threads: each thread has its own DuckDB cursor).

    Parameters
    ----------
    datasets : DatasetKey
        (kind, dataset id, revision) of each dataset.

    Returns
    -------
    Inputs
        The inputs.
    """
    return Inputs.of_store(datasets)


def _stored(url_path: str, params: ParamKey) -> ParamKey:
    """``params`` with the fit parameters the page reads from the catalogue (:func:`store_params`: the
    planner's ledger entries), so every cache below is keyed on them and a new entry refits."""
    extra = store_params(url_path)
    return freeze_params({**thaw_params(params), **extra}) if extra else params


def list_objects(kind: str) -> list[dict]:
    """The saved objects of one kind (repository.list_objects).

    Parameters
    ----------
    kind : str
        The object kind.

    Returns
    -------
    list[dict]
        One dict per object.
    """
    return repository.list_objects(kind=kind)


def get_object(object_id: int) -> dict | None:
    """One saved object (repository.get_object), or None.

    Parameters
    ----------
    object_id : int
        The object's id.

    Returns
    -------
    dict | None
        The object, or None.
    """
    return repository.get_object(object_id=int(object_id))


def list_presets(kind: str) -> list[dict]:
    """The mapping presets of one dataset kind (repository.list_presets).

    Parameters
    ----------
    kind : str
        The dataset kind.

    Returns
    -------
    list[dict]
        One dict per preset.
    """
    return repository.list_presets(kind=kind)


def revisions(dataset_id: int) -> list[dict]:
    """The revisions of one dataset (repository.revisions).

    Parameters
    ----------
    dataset_id : int
        The dataset's id.

    Returns
    -------
    list[dict]
        One dict per revision.
    """
    return repository.revisions(dataset_id=int(dataset_id))


def ledger_entries() -> list[dict]:
    """Every incrementality ledger entry, newest first (analytics.ledger.entries). One small query per call,
    never cached: an entry written through another app server is seen on the next rerun.

    Returns
    -------
    list[dict]
        The entries.
    """
    from analytics import ledger

    return ledger.entries()


def store_params(url_path: str) -> dict:
    """Fit parameters a page reads from the catalogue, to merge into its parameters before the cache key is
    made (the planner and the channel comparison: ``{"ledger": ...}``, which changes exactly when an entry
    changes, so the fit is redone then); {} for the other pages.

    Parameters
    ----------
    url_path : str
        The page's URL path.

    Returns
    -------
    dict
        Parameter -> value.
    """
    if url_path not in LEDGER_PAGES:
        return {}
    from analytics import ledger

    return {"ledger": ledger.fit_value(ledger_entries())}


# pages whose fit reads the incrementality ledger (their modules' ``store_params``)
LEDGER_PAGES = ("promotion-planner", "channel-comparison")
