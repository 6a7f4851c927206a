"""A Streamlit client at the protocol level (issue 18's load test): a websocket on ``/_stcore/stream`` that
sends ``BackMsg`` protobufs as Streamlit's frontend does and reads the ``ForwardMsg`` deltas back into an
element tree, with no browser and no rendering, so a load test measures the servers, not the browsers.

What it does like the frontend (streamlit 1.67: the server's ``web/server/starlette/starlette_websocket.py``
and the bundled frontend under ``streamlit/static``):

- connects with the subprotocols ``["streamlit", "PLACEHOLDER_AUTH_TOKEN"]`` (the frontend's entries: the
  protocol, then the XSRF / host token slot, which only matters for Streamlit's own OIDC cookie, then the
  last session id on a reconnect, never sent here) and starts the first run with a
  ``rerun_script`` carrying the URL's path (``page_name``) and query string;
- keeps the query string the app writes (``page_info_changed``) and sends it back with every rerun, as the
  browser's address bar does (the app's URL-bound widgets compare the two);
- sends every widget value the user has set and, for a button or a form's submit button, a one-shot
  ``trigger_value`` in the same ``BackMsg`` as the form's typed values (the frontend's ``submitForm``);
  values the server pushes (``set_value``) replace the user's, and widgets gone from the page are forgotten.
  Widgets never touched are not sent: the server keeps their values from the previous run (the frontend
  would send the same values back);
- sends no ``cached_message_hashes``, so the server sends every element in full (a browser with a warm
  message cache gets references to the large unchanged ones instead: the server's work is the same).

What it leaves out: rendering (layout, charts, fonts), custom components' JavaScript (a component never
answers, so e.g. the sign-in cookie is never written: sign in with the form in each session) and the
browser's HTTP requests for static files and media.

A run is timed from sending the ``BackMsg`` to the ``script_finished`` that ends it (a run the server cuts
short for a rerun, e.g. ``st.rerun()`` after the sign-in, is followed by the one that finishes).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import connect

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Markdown_pb2 import Markdown

WIDGETS = ("radio", "selectbox", "multiselect", "text_input", "text_area", "number_input", "checkbox",
           "button", "date_input", "slider", "button_group")
MAIN, SIDEBAR = 0, 1  # the first index of a delta path: the root container
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)


@dataclass
class Widget:
    kind: str  # the element field: "radio", "text_input", "button", ...
    id: str
    label: str
    options: list[str]
    form_id: str
    root: int  # MAIN, SIDEBAR, ...
    proto: Any


@dataclass
class Page:
    """The elements of one finished run, by delta path."""

    elements: dict[tuple[int, ...], Any] = field(default_factory=dict)

    def widgets(self, kind: str | None = None, root: int | None = None) -> list[Widget]:
        out = []
        for path, el in sorted(self.elements.items()):
            k = el.WhichOneof("type")
            if k in WIDGETS and (kind is None or k == kind) and (root is None or path[0] == root):
                w = getattr(el, k)
                out.append(Widget(k, w.id, getattr(w, "label", ""), list(getattr(w, "options", [])),
                                  getattr(w, "form_id", ""), path[0], w))
        return out

    def widget(self, kind: str, label: str, root: int | None = None) -> Widget:
        found = [w for w in self.widgets(kind, root) if w.label == label]
        if not found:
            raise LookupError(f"no {kind} labelled {label!r} on the page; {kind}s: "
                              f"{[w.label for w in self.widgets(kind)]}")
        return found[0]

    def radio_with(self, option: str, root: int = MAIN) -> Widget:
        """The first radio (in ``root``) offering ``option``, as a person finds the option to click."""
        for w in self.widgets("radio", root):
            if option in w.options:
                return w
        raise LookupError(f"no radio offers {option!r}; radios: {[(w.label, w.options) for w in self.widgets('radio')]}")

    def texts(self) -> list[str]:
        """Markdown (captions included), headings, alerts, metrics, plain text and exceptions, in page order."""
        out = []
        for _, el in sorted(self.elements.items()):
            k = el.WhichOneof("type")
            if k in ("markdown", "heading", "text"):
                out.append(getattr(el, k).body)
            elif k == "alert":
                out.append(el.alert.body)
            elif k == "metric":
                out.append(f"{el.metric.label}: {el.metric.body}")
            elif k == "exception":
                out.append(f"{el.exception.type}: {el.exception.message}")
        return out

    def captions(self) -> list[str]:
        return [el.markdown.body for _, el in sorted(self.elements.items())
                if el.WhichOneof("type") == "markdown" and el.markdown.element_type == Markdown.CAPTION]

    def text(self) -> str:
        return "\n".join(self.texts())

    def errors(self) -> list[str]:
        """What a person would see as an error: exception elements and error alerts."""
        out = []
        for _, el in sorted(self.elements.items()):
            k = el.WhichOneof("type")
            if k == "exception" and not el.exception.is_warning:
                out.append(f"{el.exception.type}: {el.exception.message}")
            elif k == "alert" and el.alert.format == Alert.ERROR:
                out.append(el.alert.body)
        return out


@dataclass
class Run:
    seconds: float
    status: str  # "FINISHED_SUCCESSFULLY", ...
    page: Page
    errors: list[str]
    page_not_found: bool = False


class Client:
    """One browser tab's worth of Streamlit session, over one websocket.

    >>> c = await Client.open("http://127.0.0.1:8501", "market-overview", "o=1")
    >>> await c.sign_in("admin", "secret")
    >>> run = await c.choose("Week")     # click the radio option labelled "Week"
    >>> run.seconds, run.page.errors()
    """

    def __init__(self, base: str, timeout: float = 300) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.ws: Any = None
        self.query = ""
        self.page_name = ""
        self.page_hash = ""
        self.page = Page()
        self.values: dict[str, Any] = {}  # widget id -> (value field, value) set by the user
        self.runs: list[Run] = []

    @classmethod
    async def open(cls, base: str, page_name: str = "", query: str = "", timeout: float = 300) -> "Client":
        """Connect and do the first run of ``base/page_name?query`` (a page load)."""
        c = cls(base, timeout)
        url = "ws" + c.base[len("http"):] + "/_stcore/stream"
        c.ws = await connect(url, subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"], max_size=None,
                             open_timeout=timeout, ping_interval=None)
        c.page_name, c.query = page_name, query
        await c.rerun()
        return c

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    # ---------------------------------------------------------------- interactions

    async def rerun(self, *, triggers: tuple[str, ...] = (), page_name: str | None = None,
                    query: str | None = None) -> Run:
        """Send a ``rerun_script`` with the current widget values (and one-shot ``triggers``); wait for the run."""
        msg = BackMsg()
        cs = msg.rerun_script
        if page_name is not None:  # a navigation: the page by its URL path, as a link or an address bar does
            self.page_name, self.page_hash = page_name, ""
        if query is not None:
            self.query = query
        cs.query_string = self.query
        cs.page_name = self.page_name
        cs.page_script_hash = self.page_hash
        cs.context_info.timezone = "UTC"
        cs.context_info.timezone_offset = 0
        cs.context_info.locale = "en-US"
        cs.context_info.url = f"{self.base}/{self.page_name}" + (f"?{self.query}" if self.query else "")
        for wid, (kind, value) in self.values.items():
            ws = cs.widget_states.widgets.add()
            ws.id = wid
            if kind == "string_array_value":
                ws.string_array_value.data.extend(value)
            else:
                setattr(ws, kind, value)
        for wid in triggers:
            ws = cs.widget_states.widgets.add()
            ws.id = wid
            ws.trigger_value = True
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        run = await asyncio.wait_for(self._read_run(t0), self.timeout)
        self.runs.append(run)
        return run

    async def set(self, widget: Widget, value: Any) -> Run:
        """Change one widget, as a click or a typed value does, and wait for the rerun."""
        self._remember(widget, value)
        return await self.rerun()

    async def choose(self, option: str, root: int = MAIN) -> Run:
        """Click the radio option labelled ``option``."""
        return await self.set(self.page.radio_with(option, root), option)

    async def click(self, button: Widget) -> Run:
        return await self.rerun(triggers=(button.id,))

    async def submit(self, form_values: dict[str, Any], submit_label: str) -> Run:
        """Fill a form's widgets by label and press its submit button, in one ``BackMsg``."""
        for label, value in form_values.items():
            w = next((w for w in self.page.widgets() if w.label == label and w.form_id), None)
            if w is None:
                raise LookupError(f"no form widget labelled {label!r}: {[w.label for w in self.page.widgets()]}")
            self._remember(w, value)
        button = next((w for w in self.page.widgets("button") if w.label == submit_label and w.proto.is_form_submitter),
                      None)
        if button is None:
            raise LookupError(f"no submit button {submit_label!r}: {[w.label for w in self.page.widgets('button')]}")
        return await self.rerun(triggers=(button.id,))

    async def sign_in(self, user: str, password: str, *, username_label: str = "Username",
                      password_label: str = "Password", submit_label: str = "Sign in") -> Run:
        """The app's sign-in form (streamlit-authenticator's ``login``); raises when no one is signed in after."""
        run = await self.submit({username_label: user, password_label: password}, submit_label)
        if not self.signed_in():
            raise RuntimeError(f"sign-in as {user} did not finish: {' | '.join(run.page.texts())[:400]}")
        return run

    def signed_in(self) -> bool:
        return any(w.label == "Sign out" for w in self.page.widgets("button"))

    def _remember(self, widget: Widget, value: Any) -> None:
        if widget.kind == "checkbox":
            self.values[widget.id] = ("bool_value", bool(value))
        elif widget.kind == "number_input":
            self.values[widget.id] = ("double_value" if isinstance(value, float) else "int_value", value)
        elif widget.kind == "multiselect":
            self.values[widget.id] = ("string_array_value", [str(v) for v in value])
        elif widget.kind in ("radio", "selectbox", "text_input", "text_area"):
            if widget.options and value not in widget.options:
                raise ValueError(f"{widget.label!r} offers {widget.options}, not {value!r}")
            self.values[widget.id] = ("string_value", str(value))
        else:
            raise NotImplementedError(f"setting a {widget.kind} is not implemented")

    # ---------------------------------------------------------------- reading the server

    async def _read_run(self, t0: float) -> Run:
        tree: dict[tuple[int, ...], Any] = {}
        not_found = False
        while True:
            raw = await self.ws.recv()
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "new_session":  # a run starts: its elements replace the previous run's
                tree = {}
                if fm.new_session.page_script_hash:
                    self.page_hash = fm.new_session.page_script_hash
            elif kind == "delta":
                path = tuple(fm.metadata.delta_path)
                d = fm.delta
                if d.WhichOneof("type") == "new_element":
                    tree[path] = d.new_element
                elif d.WhichOneof("type") == "add_block":
                    # a block replaces whatever was drawn at its path before (st.empty, a re-drawn container)
                    for p in [p for p in tree if p[:len(path)] == path]:
                        del tree[p]
            elif kind == "page_info_changed":
                self.query = fm.page_info_changed.query_string
            elif kind == "navigation":
                if fm.navigation.page_script_hash:
                    self.page_hash = fm.navigation.page_script_hash
                    page = next((p for p in fm.navigation.app_pages
                                 if p.page_script_hash == fm.navigation.page_script_hash), None)
                    if page is not None:
                        self.page_name = page.url_pathname
            elif kind == "page_not_found":
                not_found = True
            elif kind == "script_finished" and fm.script_finished in DONE:
                seconds = time.perf_counter() - t0
                self.page = Page(tree)
                live = {w.id for w in self.page.widgets()}
                for wid in [w for w in self.values if w not in live]:
                    del self.values[wid]
                for w in self.page.widgets():
                    if getattr(w.proto, "set_value", False):  # the server set it: its value wins
                        self.values.pop(w.id, None)
                errors = self.page.errors() + (["page not found"] if not_found else [])
                return Run(seconds, ForwardMsg.ScriptFinishedStatus.Name(fm.script_finished), self.page, errors,
                           not_found)
