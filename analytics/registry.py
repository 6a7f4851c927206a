"""Pages, their url_path, their analytics module, their locale namespace and their script: the one place
where a page's identity is written (app.py builds the navigation from it, components.page the per-page kit)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class PageInfo:
    url_path: str
    module: str | None  # analytics module implementing PAGE / KINDS / PARAMS / fit / present / figures
    namespace: str    # analytics/locales/<namespace>.json
    script: str       # pages/<script>
    icon: str
    section: str


PAGES: tuple[PageInfo, ...] = (
    PageInfo("data", "analytics.datasets", "datasets", "pages/data_manager.py", ":material/database:", "data"),
    PageInfo("market-overview", "analytics.market", "market", "pages/market_overview.py", ":material/monitoring:", "market"),
    PageInfo("competitor-tracking", "analytics.competitors", "competitors", "pages/competitor_tracking.py", ":material/radar:", "market"),
    PageInfo("segmentation-explorer", "analytics.segmentation", "segmentation", "pages/segmentation_explorer.py", ":material/groups:", "customers"),
    PageInfo("persona-builder", "analytics.personas", "personas", "pages/persona_builder.py", ":material/person_search:", "customers"),
    PageInfo("recommendations", "analytics.recommend", "recommend", "pages/recommendations.py", ":material/recommend:", "customers"),
    PageInfo("channel-comparison", "analytics.channels", "channels", "pages/channel_comparison.py", ":material/compare_arrows:", "campaigns"),
    PageInfo("promotion-planner", "analytics.promotions", "promotions", "pages/promotion_planner.py", ":material/event_note:", "campaigns"),
    PageInfo("post-campaign-evaluation", "analytics.evaluation", "evaluation", "pages/post_campaign_evaluation.py", ":material/fact_check:", "campaigns"),
    PageInfo("live-commerce", "analytics.live", "live", "pages/live_commerce.py", ":material/live_tv:", "campaigns"),
)
# Pages without an analytics module: the home page (the default page, served at "/") and user admin.
HOME = PageInfo("home", None, "home", "pages/home.py", ":material/home:", "data")
ADMIN = PageInfo("admin", None, "admin", "pages/user_admin.py", ":material/admin_panel_settings:", "data")
BY_PATH = {p.url_path: p for p in PAGES}
_ALL = {**BY_PATH, HOME.url_path: HOME, ADMIN.url_path: ADMIN}


def page(url_path: str) -> PageInfo:
    """The analysis page registered at ``url_path`` (KeyError naming the known pages otherwise).

    Parameters
    ----------
    url_path : str
        The page's URL path.

    Returns
    -------
    PageInfo
        Its registry entry.
    """
    try:
        return BY_PATH[url_path]
    except KeyError:
        raise KeyError(f"unknown page {url_path!r}; pages: {', '.join(BY_PATH)}") from None


def info(url_path: str) -> PageInfo:
    """Any page of the app, the home and admin pages included (``page`` knows the analysis pages only).

    Parameters
    ----------
    url_path : str
        The page's URL path.

    Returns
    -------
    PageInfo
        Its registry entry (KeyError naming the known pages otherwise).
    """
    try:
        return _ALL[url_path]
    except KeyError:
        raise KeyError(f"unknown page {url_path!r}; pages: {', '.join(_ALL)}") from None


def script(url_path: str) -> str:
    """The script file of the page at ``url_path`` (any page).

    Parameters
    ----------
    url_path : str
        The page's URL path.

    Returns
    -------
    str
        The script path, as registered.
    """
    return info(url_path).script


def module(url_path: str) -> ModuleType:
    """The imported analytics module of the analysis page at ``url_path``.

    Parameters
    ----------
    url_path : str
        The page's URL path.

    Returns
    -------
    ModuleType
        The module (KeyError for an unknown page).
    """
    return importlib.import_module(page(url_path).module)


def missing_kinds(mod: ModuleType, kinds) -> list[str]:
    """The required dataset kinds of a page module (``KINDS``: kind -> required) that ``kinds`` lacks. A
    module may name kinds that stand in for a required one (``KINDS_INSTEAD``: kind -> alternatives,
    e.g. a customers dataset for the orders of the segmentation explorer's customers-only mode).

    Parameters
    ----------
    mod : ModuleType
        A page module.
    kinds
        The dataset kinds at hand.

    Returns
    -------
    list[str]
        The missing required kinds, in ``KINDS`` order.
    """
    have = set(kinds)
    instead = getattr(mod, "KINDS_INSTEAD", {})
    return [k for k, req in getattr(mod, "KINDS", {}).items()
            if req and k not in have and not have & set(instead.get(k, ()))]


def missing_any(mod: ModuleType, kinds) -> tuple[str, ...]:
    """A module's ``KINDS_ANY`` (it needs at least one of these kinds) when ``kinds`` has none of them, else ().

    Parameters
    ----------
    mod : ModuleType
        A page module.
    kinds
        The dataset kinds at hand.

    Returns
    -------
    tuple[str, ...]
        ``KINDS_ANY`` when none of them is at hand, else ().
    """
    any_of = tuple(getattr(mod, "KINDS_ANY", ()))
    return any_of if any_of and not set(any_of) & set(kinds) else ()
