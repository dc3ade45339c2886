"""A browser tab without the browser: Streamlit's own websocket protocol, spoken by hand.

The Streamlit frontend talks to the server over one websocket at `/_stcore/stream`: it sends
protobuf `BackMsg`s (a `rerun_script` carrying the URL's query string, the page and the widget
values) and reads `ForwardMsg`s (a `new_session` when a run starts, `delta`s that draw the
elements, `script_finished` when it ends). `HeadlessPage` does the same with a thread and a
socket instead of a Chromium, so a load run can hold many sessions on a small machine.

The messages are encoded and decoded by hand (`streamlit_wire.py`): `simulator/` never
imports streamlit.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from contextlib import ExitStack
from types import TracebackType
from typing import Literal
from urllib.parse import urlsplit

from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from simulator.bench.streamlit_wire import (
    PROTOCOL_NUMBERS,
    Fields,
    HeadlessError,
    field_number,
    field_numbers,
    field_text,
    field_texts,
    has_field,
    last_value,
    parse_fields,
    rerun_message,
    string_state,
    sub_fields,
    trigger_state,
)
from simulator.content import Frozen

WidgetKind = Literal["text_area", "text_input", "radio", "button"]
# The element kinds whose text a person reads, and the message that holds each.
_TEXT_KINDS = {
    "text": "Text",
    "markdown": "Markdown",
    "alert": "Alert",
    "heading": "Heading",
    "toast": "Toast",
}
_WIDGET_KINDS: dict[WidgetKind, str] = {
    "text_area": "TextArea",
    "text_input": "TextInput",
    "radio": "Radio",
    "button": "Button",
}
_VALUE_KINDS = ("text_area", "text_input", "radio")
# Texts come as Markdown source; a reader sees `[s1 t2]` where the source says `\[s1 t2\]`.
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


class PageWidget(Frozen):
    """A widget of the last run, with the value a browser would send back for it."""

    kind: WidgetKind
    id: str
    label: str
    form_id: str = ""
    options: tuple[str, ...] = ()
    value: str | None = None
    submits_form: bool = False


# --------------------------------------------------------------------------- elements

Shown = str | PageWidget


def _element(data: bytes) -> Shown | None:
    """What a person sees of one element: its text, or the widget; None for the rest."""
    fields = parse_fields(data)
    for kind, message in _TEXT_KINDS.items():
        inner = sub_fields(fields, f"Element.{kind}")
        if inner is not None:
            return _MARKDOWN_ESCAPE.sub(r"\1", field_text(inner, f"{message}.body"))
    error = sub_fields(fields, "Element.exception")
    if error is not None:
        return f"{field_text(error, 'Exception.type')}: {field_text(error, 'Exception.message')}"
    for widget_kind, message in _WIDGET_KINDS.items():
        inner = sub_fields(fields, f"Element.{widget_kind}")
        if inner is not None:
            return _widget(widget_kind, message, inner)
    return None


def _widget(kind: WidgetKind, message: str, fields: Fields) -> PageWidget:
    options = field_texts(fields, "Radio.options") if kind == "radio" else ()
    return PageWidget(
        kind=kind,
        id=field_text(fields, f"{message}.id"),
        label=field_text(fields, f"{message}.label"),
        form_id=field_text(fields, f"{message}.form_id"),
        options=options,
        value=_widget_value(kind, message, fields, options),
        submits_form=kind == "button" and bool(field_number(fields, "Button.is_form_submitter")),
    )


def _widget_value(
    kind: WidgetKind, message: str, fields: Fields, options: tuple[str, ...]
) -> str | None:
    """The value the frontend holds after drawing the widget: the one the server set, else
    the default. A radio's value is its option's label; a button holds none."""
    if kind == "button":
        return None
    if kind == "radio":
        if has_field(fields, "Radio.raw_value"):
            return field_text(fields, "Radio.raw_value")
        index = field_number(fields, "Radio.default")
        return options[index] if index is not None and index < len(options) else None
    if field_number(fields, f"{message}.set_value") and has_field(fields, f"{message}.value"):
        return field_text(fields, f"{message}.value")
    return (
        field_text(fields, f"{message}.default")
        if has_field(fields, f"{message}.default")
        else None
    )


DeltaPath = tuple[int, ...]


def _forget(shown: dict[DeltaPath, Shown], path: DeltaPath) -> None:
    """A delta replaces what was at its path, and everything that was inside it."""
    for old in [p for p in shown if p[: len(path)] == path]:
        del shown[old]


# --------------------------------------------------------------------------- the page


def _stream_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise HeadlessError(f"{base_url!r} is not an http(s) address of a Streamlit app")
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"


class HeadlessPage:
    """One browser tab on a Streamlit app: `open` a page, read its `texts` and `widgets`,
    `submit_form`, `close`. Every wait ends after `timeout_s` with a HeadlessError."""

    def __init__(self, timeout_s: float = 60.0) -> None:
        self.timeout_s = timeout_s
        self._socket: ClientConnection | None = None
        self._stack = ExitStack()
        self._page_name = ""
        self._page_hash = ""
        self._query = ""
        self._shown: dict[DeltaPath, Shown] = {}

    def __enter__(self) -> HeadlessPage:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def open(self, base_url: str, path_and_query: str, timeout_s: float | None = None) -> None:
        """Connect as a fresh tab would (a new server session) and run the page at
        `path_and_query` (e.g. `practice?me=...&s=...`); returns once the run is over."""
        self.close()
        target = urlsplit(path_and_query)
        self._page_name, self._query, self._page_hash = target.path.strip("/"), target.query, ""
        self._shown = {}
        url = _stream_url(base_url)
        wait = self.timeout_s if timeout_s is None else timeout_s
        try:
            # The frontend offers the "streamlit" subprotocol (a second entry would carry an
            # XSRF token, needed only for signed-in users). No proxy: the load goes straight
            # to the app or to its load balancer.
            self._socket = self._stack.enter_context(
                connect(
                    url,
                    subprotocols=[Subprotocol("streamlit")],
                    open_timeout=max(wait, 0.1),
                    max_size=None,
                    proxy=None,
                )
            )
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise HeadlessError(f"cannot open {url}: {exc}") from exc
        self._run([], f"the first run of /{path_and_query}", wait)

    def texts(self) -> list[str]:
        """The texts of the last run in page order: Markdown (escapes removed), text, alerts,
        headings, toasts, and an exception as `Type: message`."""
        return [shown for _, shown in sorted(self._shown.items()) if isinstance(shown, str)]

    def widgets(self) -> dict[str, PageWidget]:
        """The widgets of the last run by label (the first one when two share a label)."""
        found: dict[str, PageWidget] = {}
        for _, shown in sorted(self._shown.items()):
            if isinstance(shown, PageWidget):
                found.setdefault(shown.label, shown)
        return found

    def submit_form(
        self,
        field_label: str,
        text: str,
        button_label: str,
        extra: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> None:
        """Type `text` into the field, set the `extra` widgets (a radio by its option's
        label), press the form's submit button and wait until the script has finished,
        reruns (`st.rerun()`) included."""
        widgets = self.widgets()
        field = _find(widgets, field_label, ("text_area", "text_input"))
        button = _find(widgets, button_label, ("button",))
        if not button.submits_form or button.form_id != field.form_id:
            raise HeadlessError(f"{button_label!r} does not submit the form of {field_label!r}")
        # A browser sends back every widget's value with the one it submits.
        values = {w.id: w.value for w in widgets.values() if w.value is not None}
        values[field.id] = text
        for label, value in (extra or {}).items():
            widget = _find(widgets, label, _VALUE_KINDS)
            if widget.kind == "radio" and value not in widget.options:
                raise HeadlessError(f"{label!r} offers {list(widget.options)}, not {value!r}")
            values[widget.id] = value
        states = [string_state(wid, value) for wid, value in values.items()]
        states.append(trigger_state(button.id))
        wait = self.timeout_s if timeout_s is None else timeout_s
        self._run(states, f"the run after pressing {button_label!r}", wait)

    def close(self) -> None:
        self._socket = None
        self._stack.close()

    # ------------------------------------------------------------------ one run

    def _run(self, states: list[bytes], what: str, timeout_s: float) -> None:
        """Ask for a run and read until it is over. A run that calls `st.rerun()` ends
        "early for rerun" and the next one starts by itself: only a run that finishes
        successfully, after one that started since the request, ends the wait."""
        deadline = time.monotonic() + timeout_s
        self._send(rerun_message(self._query, self._page_hash, self._page_name, states), what)
        drawing: dict[DeltaPath, Shown] | None = None
        while True:
            fields = parse_fields(self._receive(deadline, what, timeout_s))
            if has_field(fields, "ForwardMsg.new_session"):
                drawing = {}  # a run (or a rerun) starts on an empty page
            elif has_field(fields, "ForwardMsg.delta"):
                if drawing is not None:
                    _apply_delta(drawing, fields)
            elif has_field(fields, "ForwardMsg.script_finished"):
                if self._finished(fields, what) and drawing is not None:
                    self._shown = drawing
                    return
            else:
                self._follow(fields)

    def _finished(self, fields: Fields, what: str) -> bool:
        """True when a run finished successfully; one that ended for a rerun is not over."""
        status = field_number(fields, "ForwardMsg.script_finished")
        if status == PROTOCOL_NUMBERS["ForwardMsg.FINISHED_WITH_COMPILE_ERROR"]:
            raise HeadlessError(f"the app's script failed to compile during {what}")
        return status == PROTOCOL_NUMBERS["ForwardMsg.FINISHED_SUCCESSFULLY"]

    def _follow(self, fields: Fields) -> None:
        """Keep the page and the URL the server says the tab is on, as the frontend does."""
        navigation = sub_fields(fields, "ForwardMsg.navigation")
        if navigation is not None:
            self._page_hash = field_text(navigation, "Navigation.page_script_hash")
        page_info = sub_fields(fields, "ForwardMsg.page_info_changed")
        if page_info is not None:
            self._query = field_text(page_info, "PageInfo.query_string")
        if has_field(fields, "ForwardMsg.page_not_found"):
            raise HeadlessError(f"the app has no page {self._page_name!r}")
        if has_field(fields, "ForwardMsg.ref_hash"):
            # Only sent for messages the client says it has cached; this client says none.
            raise HeadlessError("the server sent a cached-message reference to a fresh client")

    def _send(self, message: bytes, what: str) -> None:
        try:
            self._connection().send(message)
        except (OSError, WebSocketException) as exc:
            raise HeadlessError(f"the connection closed before {what}: {exc}") from exc

    def _receive(self, deadline: float, what: str, timeout_s: float) -> bytes:
        left = deadline - time.monotonic()
        if left <= 0:
            raise self._timed_out(what, timeout_s)
        try:
            data = self._connection().recv(timeout=left)
        except TimeoutError:
            raise self._timed_out(what, timeout_s) from None
        except (OSError, WebSocketException) as exc:
            raise HeadlessError(f"the connection closed while waiting for {what}: {exc}") from exc
        if isinstance(data, str):
            raise HeadlessError("the server sent a text frame; Streamlit speaks binary protobuf")
        return data

    def _timed_out(self, what: str, timeout_s: float) -> HeadlessError:
        shown = "; ".join(self.texts()[:8])[:300]
        return HeadlessError(
            f"no end of {what} within {timeout_s:g} s (the page showed: {shown!r})"
        )

    def _connection(self) -> ClientConnection:
        if self._socket is None:
            raise HeadlessError("the page is not open: call open() first")
        return self._socket


def _apply_delta(drawing: dict[DeltaPath, Shown], fields: Fields) -> None:
    metadata = sub_fields(fields, "ForwardMsg.metadata") or {}
    path = field_numbers(metadata, "ForwardMsgMetadata.delta_path")
    delta = sub_fields(fields, "ForwardMsg.delta") or {}
    element = last_value(delta, "Delta.new_element")
    if isinstance(element, bytes):
        _forget(drawing, path)
        shown = _element(element)
        if shown is not None:
            drawing[path] = shown
    elif has_field(delta, "Delta.add_block"):
        _forget(drawing, path)


def _find(widgets: Mapping[str, PageWidget], label: str, kinds: tuple[str, ...]) -> PageWidget:
    widget = widgets.get(label)
    if widget is None or widget.kind not in kinds:
        wanted = " or ".join(kinds)
        shown = [w.label for w in widgets.values() if w.kind in kinds]
        raise HeadlessError(f"no {wanted} labelled {label!r} on the page; there are {shown}")
    return widget
