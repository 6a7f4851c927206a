"""Widgets whose values live in the URL, so a shared link reproduces the view.

Why not ``bind="query-params"``: Streamlit serialises a selectbox's *formatted label* into the URL,
and our labels change with the language; links must survive a language switch and stay short and
stable (ISO dates, plain ids). So each widget is seeded from ``st.query_params`` when the URL value
changed (first load, a shared link) and written back after it renders, using the same
``analytics.params.Param`` spec the command line parses. Invalid values fall back to the default and
are reported once (``problems()``), never raised.

Every widget is also created with its current value as its default (``index`` / ``value`` / ``default``).
The value seeded through ``st.session_state`` reaches the browser only in the run that seeded it; when
the browser mounts the widget later (e.g. the sidebar appearing in the rerun right after sign-in), it
falls back to the widget's default, and the next rerun would send that default back and overwrite the
link's value. With the current value as the default there is nothing wrong to fall back to. (The
"default value and Session State" warning this would log is switched off in .streamlit/config.toml.)
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, Sequence

import streamlit as st

from analytics.params import Param, _convert, to_query

PROBLEMS_KEY = "_url_problems"
ALL = "__all__"  # the "not set / all" choice of a selectbox whose parameter defaults to None


def _raw(key: str, p: Param) -> str | None:
    if key not in st.query_params:
        return None
    if p.type == "list":
        vals = st.query_params.get_all(key)
        return ",".join(vals)
    return st.query_params.get(key)


def problems() -> list[str]:
    return list(st.session_state.get(PROBLEMS_KEY, []))


def note_problem(msg: str) -> None:
    """Report a bad link value (``"key=value: reason"``) in the page's bad-link slot (page.show_problems)."""
    st.session_state.setdefault(PROBLEMS_KEY, [])
    if msg not in st.session_state[PROBLEMS_KEY]:
        st.session_state[PROBLEMS_KEY].append(msg)


def short(raw: str, limit: int = 80) -> str:
    """A URL value as quoted in a problem: at most ``limit`` characters (the page escapes it)."""
    return raw if len(raw) <= limit else raw[: limit - 1] + "…"


def seed(state_key: str, p: Param, valid: Callable[[Any], bool] | None = None) -> Any:
    """Put the URL's value (when it is new) or the default into ``st.session_state[state_key]``."""
    raw = _raw(p.key, p)
    marker = "_q_" + state_key
    # the URL's value also when the widget's state is gone (a widget not drawn in a run loses it, e.g. in
    # a tab that was not open) while the URL still holds its value; that value was written by this session,
    # so when it is no longer a choice (the options changed meanwhile) it falls back to the default quietly:
    # only a value new to the session (a link) is reported as a bad link value
    fresh = st.session_state.get(marker) != raw
    if raw is not None and (fresh or state_key not in st.session_state):
        try:
            value = _convert(p, raw)
            if valid is not None and not valid(value):
                raise ValueError("not available")
        except (ValueError, TypeError, OverflowError) as exc:
            if fresh:
                note_problem(f"{p.key}={short(raw)}: {exc}")
            value = p.default
        st.session_state[state_key] = value
        st.session_state[marker] = raw
    elif state_key not in st.session_state:
        st.session_state[state_key] = p.default
    return st.session_state[state_key]


def sync(state_key: str, p: Param, value: Any, *, always: bool = False) -> None:
    """Write the widget's value to the URL (defaults are left out unless ``always``)."""
    q = to_query([Param(p.key, p.type, None if always else p.default)], {p.key: value})
    marker = "_q_" + state_key
    new = q.get(p.key)
    cur = _raw(p.key, p)
    if new is None:
        if cur is not None:
            del st.query_params[p.key]
    elif cur != new:
        st.query_params[p.key] = new
    st.session_state[marker] = new


def _index(options: Sequence[Any], value: Any) -> int:
    """Position of ``value`` among ``options`` (0 when absent): a widget's default that equals its value."""
    try:
        return list(options).index(value)
    except ValueError:
        return 0


def _frozen(format_func: Callable[[Any], str], options: Sequence[Any]) -> Callable[[Any], str]:
    """The labels computed now, in this run's language (Streamlit formats every option during the call
    anyway); a label asked for later, outside the run (AppTest's rerun), does not fall back to English."""
    labels = {}
    for o in options:
        try:
            labels[o] = format_func(o)
        except TypeError:  # unhashable option: keep the function
            return format_func
    return lambda v: labels[v] if v in labels else format_func(v)


def _where(container: Any) -> Any:
    return container if container is not None else st


def selectbox(label: str, options: Sequence[Any], p: Param, *, state_key: str | None = None,
              format_func: Callable[[Any], str] = str, help: str | None = None, container: Any = None,
              always: bool = False, disabled: bool = False) -> Any:
    key = state_key or p.key
    # Streamlit shows a None value as an empty "Choose an option": a None choice travels as ALL instead
    opts = [ALL if o is None else o for o in options]
    shown = format_func
    if ALL in opts and None in list(options):
        def shown(v: Any) -> str:  # noqa: F811 - the caller's labels, with None for the ALL choice
            return format_func(None if v == ALL else v)
    seed(key, p, valid=lambda v: (ALL if v is None else v) in opts)
    if st.session_state.get(key) is None and ALL in opts:
        st.session_state[key] = ALL
    if st.session_state.get(key) not in opts:
        st.session_state[key] = p.default if p.default in opts else (opts[0] if opts else None)
    v = _where(container).selectbox(label, opts, index=_index(opts, st.session_state.get(key)), key=key,
                                    format_func=_frozen(shown, opts), help=help, disabled=disabled)
    v = None if v == ALL else v
    sync(key, p, v, always=always)
    return v


def radio(label: str, options: Sequence[Any], p: Param, *, state_key: str | None = None,
          format_func: Callable[[Any], str] = str, help: str | None = None, container: Any = None,
          horizontal: bool = True) -> Any:
    key = state_key or p.key
    opts = list(options)
    seed(key, p, valid=lambda v: v in opts)
    if st.session_state.get(key) not in opts:
        st.session_state[key] = p.default if p.default in opts else opts[0]
    v = _where(container).radio(label, opts, index=_index(opts, st.session_state.get(key)), key=key,
                                format_func=_frozen(format_func, opts), help=help, horizontal=horizontal)
    sync(key, p, v)
    return v


def multiselect(label: str, options: Sequence[Any], p: Param, *, state_key: str | None = None,
                format_func: Callable[[Any], str] = str, help: str | None = None, container: Any = None) -> list:
    key = state_key or p.key
    opts = [str(o) for o in options]
    seed(key, p)
    cur = [v for v in (st.session_state.get(key) or []) if v in opts]
    st.session_state[key] = cur
    v = _where(container).multiselect(label, opts, default=cur, key=key, format_func=_frozen(format_func, opts),
                                      help=help)
    sync(key, p, list(v))
    return list(v)


def number(label: str, p: Param, *, state_key: str | None = None, step: float | int | None = None,
           help: str | None = None, container: Any = None, fmt: str | None = None) -> float | int:
    key = state_key or p.key
    seed(key, p)
    if st.session_state.get(key) is None:
        st.session_state[key] = p.default
    kwargs: dict[str, Any] = {"key": key, "help": help, "value": st.session_state.get(key)}
    cast = int if p.type == "int" else float
    lo, hi = p.bounds()  # an int always has bounds the browser can hold (analytics.params.JS_SAFE_INT)
    if lo is not None:
        kwargs["min_value"] = cast(lo)
    if hi is not None:
        kwargs["max_value"] = cast(hi)
    if step is not None:
        kwargs["step"] = step
    if fmt:
        kwargs["format"] = fmt
    v = _where(container).number_input(label, **kwargs)
    sync(key, p, v)
    return v


def toggle(label: str, p: Param, *, state_key: str | None = None, help: str | None = None, container: Any = None) -> bool:
    key = state_key or p.key
    seed(key, p)
    if st.session_state.get(key) is None:
        st.session_state[key] = bool(p.default)
    v = _where(container).toggle(label, value=bool(st.session_state.get(key)), key=key, help=help)
    sync(key, p, bool(v))
    return bool(v)


def text(label: str, p: Param, *, state_key: str | None = None, help: str | None = None, container: Any = None) -> str:
    key = state_key or p.key
    seed(key, p)
    if st.session_state.get(key) is None:
        st.session_state[key] = p.default or ""
    v = _where(container).text_input(label, value=st.session_state.get(key) or "", key=key, help=help)
    sync(key, p, v or None)
    return v


def date_value(label: str, p: Param, *, state_key: str | None = None, help: str | None = None,
               container: Any = None, min_value: date | None = None, max_value: date | None = None) -> date | None:
    key = state_key or p.key
    seed(key, p)
    kwargs: dict[str, Any] = {"key": key, "help": help, "format": "YYYY-MM-DD"}
    if min_value is not None:
        kwargs["min_value"] = min_value
    if max_value is not None:
        kwargs["max_value"] = max_value
    cur = st.session_state.get(key)
    if cur is not None and ((min_value and cur < min_value) or (max_value and cur > max_value)):
        st.session_state[key] = None
    v = _where(container).date_input(label, value=st.session_state.get(key), **kwargs)
    sync(key, p, v if isinstance(v, date) else None)
    return v if isinstance(v, date) else None


def number_list(label: str, p: Param, *, state_key: str | None = None, help: str | None = None, container: Any = None,
                expected: int | None = None, ascending: bool = True, problem: Callable[[str], str] | None = None) -> list[float] | None:
    """A comma-separated list of numbers (thresholds, costs) bound to the URL; input that is not such a list
    (not numbers, negative, not ascending, not ``expected`` many) is explained under it and ignored.
    ``problem(reason)`` builds that message (``reason``: "numbers", "ascending" or "count")."""
    from analytics.params import parse_float

    where = _where(container)
    raw = text(label, p, state_key=state_key, help=help, container=container)
    if not raw or not str(raw).strip():
        return None
    try:
        vals = [parse_float(x.replace(" ", "")) for x in str(raw).replace("，", ",").split(",") if x.strip()]
        reason = "numbers" if not vals or any(v < 0 for v in vals) else None
    except ValueError:
        vals, reason = [], "numbers"
    if reason is None and ascending and sorted(vals) != vals:
        reason = "ascending"
    if reason is None and expected is not None and len(vals) != expected:
        reason = "count"
    if reason is not None:
        if problem is not None:
            where.warning(problem(reason))
        return None
    return vals


KEPT = "_kept_values"  # widget key -> (the basis it was entered for, the value entered), see keep()


def keep(key: str, default: Any, basis: Any) -> dict[str, Any]:
    """Keyword arguments for a text field that is not bound to the URL, whose value must outlive the runs
    that do not draw it (a tab that is not open: Streamlit drops a widget's state at the end of a run that
    did not draw it, so a name typed in one tab was gone after a look at another), and whose default is
    in the user's language.

    What the user entered is kept for as long as the field's ``basis`` (what the value is about, free of
    language: e.g. the target and the list length) stays the same: across tab switches and language
    switches. Until something is entered, and when the basis changes, the field shows ``default``, so an
    untouched default follows the language. Streamlit's ``persist_state="page"`` keeps a value across
    hidden runs too, but a widget is identified by its key alone, so its default would neither follow the
    language nor reset for a new target. The widget takes these arguments and no ``value=``:
    ``st.text_input(label, **state.keep(key, default, basis))``.

    Parameters
    ----------
    key : str
        The widget's key.
    default : Any
        Its value before anything is entered (in the current language).
    basis : Any
        What the value is about (hashable, comparable, language-free).

    Returns
    -------
    dict[str, Any]
        ``key``, and an ``on_change`` that remembers the value entered with its basis.
    """
    saved = st.session_state.setdefault(KEPT, {})
    entered = saved.get(key)
    if entered is not None and entered[0] == basis:
        if key not in st.session_state:  # the field was not drawn in the last run
            st.session_state[key] = entered[1]
    else:
        saved.pop(key, None)
        if st.session_state.get(key) != default:
            st.session_state[key] = default
    return {"key": key, "on_change": _remember, "args": (key, basis)}


def _remember(key: str, basis: Any) -> None:
    st.session_state.setdefault(KEPT, {})[key] = (basis, st.session_state.get(key))


def tabs(names: Sequence[str], labels: Sequence[str], p: Param, *, state_key: str,
         implied_by: dict[str, str] | None = None) -> tuple[str, Any]:
    """``st.tabs`` whose hidden tabs do not run (``on_change="rerun"``: a click reruns the script): the open
    tab's name and its container, for the page to draw that tab alone. The open tab is kept in the URL as
    ``p`` (a tab *name*, not its label, so a shared link opens on the same tab in either language; a bad
    value is reported like any other). Without a URL value the open tab is the one ``implied_by`` names
    for the first of its URL keys the link holds (the tab that value belongs to, e.g. ``{"product":
    "product"}``: a product chosen in the product tab), else the first; when one is implied the URL always
    names the open tab, so leaving it survives a language switch.

    The open tab is set through the tabs' session state, and only when the widget has none (the first
    run, or its state went with a run that did not draw it), when its label is not one of this run's (the
    language changed: the label list is part of the widget's identity, so it is a new widget) or when the
    URL names another tab than the one this function last wrote there (a link, the address bar). The
    ``default`` stays the first tab: a default that followed the open tab would change the widget's
    identity in the run after a click, and the next click, sent for the old widget, would be lost.

    Parameters
    ----------
    names : Sequence[str]
        The tabs' names (URL values), in order.
    labels : Sequence[str]
        Their labels in the current language.
    p : Param
        The URL parameter (its default: the first name).
    state_key : str
        The tabs' session-state key.
    implied_by : dict[str, str] | None
        URL key -> the tab a link holding it opens on (when it names no tab), or None.

    Returns
    -------
    tuple[str, Any]
        The open tab's name and its container.
    """
    names, labels = list(names), list(labels)
    implied = next((tab for key, tab in (implied_by or {}).items() if key in st.query_params and tab in names), None)
    raw = _raw(p.key, p)
    name = raw if raw in names else None
    if raw is not None and name is None:
        note_problem(f"{p.key}={short(raw)}: not available")
    if name is None:
        name = implied or names[0]
    linked = raw is not None and st.session_state.get("_q_" + state_key) != raw
    if linked or st.session_state.get(state_key) not in labels:
        st.session_state[state_key] = labels[names.index(name)]
    boxes = st.tabs(labels, key=state_key, on_change="rerun")
    shown = next((n for n, b in zip(names, boxes) if b.open), name)
    sync(state_key, p, shown, always=implied is not None)
    return shown, boxes[names.index(shown)]
