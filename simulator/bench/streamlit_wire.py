"""Streamlit's wire format, by hand: the few protobuf fields a headless page sends and reads.

`simulator/` never imports streamlit, so the fields are encoded and decoded here;
`PROTOCOL_NUMBERS` lists them and the tests compare every number with the installed
`streamlit.proto` descriptors, so an upgrade that moves one fails there, not here.
"""

from __future__ import annotations

from simulator.errors import SimulatorError


class HeadlessError(SimulatorError, RuntimeError):
    """The app did not answer as a browser expects (no answer in time, a missing widget, a
    closed connection, a malformed message); the message says what was awaited."""


# Field numbers and enum values of Streamlit's protobuf messages, as "Message.field".
PROTOCOL_NUMBERS: dict[str, int] = {
    "BackMsg.rerun_script": 11,
    "ClientState.query_string": 1,
    "ClientState.widget_states": 2,
    "ClientState.page_script_hash": 3,
    "ClientState.page_name": 4,
    "WidgetStates.widgets": 1,
    "WidgetState.id": 1,
    "WidgetState.trigger_value": 2,
    "WidgetState.string_value": 6,
    "ForwardMsg.metadata": 2,
    "ForwardMsg.new_session": 4,
    "ForwardMsg.delta": 5,
    "ForwardMsg.script_finished": 6,
    "ForwardMsg.ref_hash": 11,
    "ForwardMsg.page_info_changed": 12,
    "ForwardMsg.page_not_found": 15,
    "ForwardMsg.navigation": 23,
    "ForwardMsg.FINISHED_SUCCESSFULLY": 0,
    "ForwardMsg.FINISHED_WITH_COMPILE_ERROR": 1,
    "ForwardMsg.FINISHED_EARLY_FOR_RERUN": 2,
    "ForwardMsgMetadata.delta_path": 2,
    "PageInfo.query_string": 1,
    "Navigation.page_script_hash": 4,
    "Delta.new_element": 3,
    "Delta.add_block": 6,
    "Element.text": 1,
    "Element.exception": 8,
    "Element.button": 19,
    "Element.text_area": 22,
    "Element.radio": 23,
    "Element.text_input": 24,
    "Element.markdown": 29,
    "Element.alert": 30,
    "Element.heading": 47,
    "Element.toast": 50,
    "Text.body": 1,
    "Markdown.body": 1,
    "Alert.body": 1,
    "Heading.body": 3,
    "Toast.body": 1,
    "Exception.type": 1,
    "Exception.message": 2,
    "TextArea.id": 1,
    "TextArea.label": 2,
    "TextArea.default": 3,
    "TextArea.form_id": 7,
    "TextArea.value": 8,
    "TextArea.set_value": 9,
    "TextInput.id": 1,
    "TextInput.label": 2,
    "TextInput.default": 3,
    "TextInput.form_id": 7,
    "TextInput.value": 8,
    "TextInput.set_value": 9,
    "Radio.id": 1,
    "Radio.label": 2,
    "Radio.default": 3,
    "Radio.options": 4,
    "Radio.form_id": 6,
    "Radio.set_value": 8,
    "Radio.raw_value": 13,
    "Button.id": 1,
    "Button.label": 2,
    "Button.form_id": 5,
    "Button.is_form_submitter": 6,
}
_N = PROTOCOL_NUMBERS


_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5
Fields = dict[int, list[int | bytes]]


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while at < len(data) and shift < 64:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        if byte < 0x80:
            return value, at
        shift += 7
    raise HeadlessError("the server sent a malformed protobuf message (a broken varint)")


def parse_fields(data: bytes) -> Fields:
    """Every field of one protobuf message by number: ints for varints, bytes otherwise."""
    fields: Fields = {}
    at = 0
    while at < len(data):
        key, at = _read_varint(data, at)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == _VARINT:
            value, at = _read_varint(data, at)
        else:
            size, at = _field_size(data, at, wire)
            value, at = data[at : at + size], at + size
        if at > len(data):
            raise HeadlessError("the server sent a protobuf message cut short")
        fields.setdefault(number, []).append(value)
    return fields


def _field_size(data: bytes, at: int, wire: int) -> tuple[int, int]:
    if wire == _LENGTH:
        return _read_varint(data, at)
    if wire in (_FIXED64, _FIXED32):
        return (8 if wire == _FIXED64 else 4), at
    raise HeadlessError(f"the server sent a protobuf wire type {wire} (not proto3)")


def has_field(fields: Fields, name: str) -> bool:
    return _N[name] in fields


def last_value(fields: Fields, name: str) -> int | bytes | None:
    # A singular field sent twice keeps its last value, as protobuf parsers do.
    values = fields.get(_N[name])
    return values[-1] if values else None


def sub_fields(fields: Fields, name: str) -> Fields | None:
    value = last_value(fields, name)
    return parse_fields(value) if isinstance(value, bytes) else None


def field_text(fields: Fields, name: str) -> str:
    value = last_value(fields, name)
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else ""


def field_number(fields: Fields, name: str) -> int | None:
    value = last_value(fields, name)
    return value if isinstance(value, int) else None


def field_texts(fields: Fields, name: str) -> tuple[str, ...]:
    return tuple(
        value.decode("utf-8", errors="replace")
        for value in fields.get(_N[name], [])
        if isinstance(value, bytes)
    )


def field_numbers(fields: Fields, name: str) -> tuple[int, ...]:
    """A repeated integer field, packed (one length-delimited run) or not."""
    found: list[int] = []
    for value in fields.get(_N[name], []):
        if isinstance(value, int):
            found.append(value)
            continue
        at = 0
        while at < len(value):
            number, at = _read_varint(value, at)
            found.append(number)
    return tuple(found)


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _length_field(name: str, payload: bytes) -> bytes:
    return _varint(_N[name] << 3 | _LENGTH) + _varint(len(payload)) + payload


def _string_field(name: str, text: str) -> bytes:
    return _length_field(name, text.encode("utf-8"))


def string_state(widget_id: str, value: str) -> bytes:
    return _string_field("WidgetState.id", widget_id) + _string_field(
        "WidgetState.string_value", value
    )


def trigger_state(widget_id: str) -> bytes:
    pressed = _varint(_N["WidgetState.trigger_value"] << 3 | _VARINT) + _varint(1)
    return _string_field("WidgetState.id", widget_id) + pressed


def rerun_message(query: str, page_hash: str, page_name: str, states: list[bytes]) -> bytes:
    """A `BackMsg.rerun_script`: what the frontend sends on load and on every interaction."""
    widgets = b"".join(_length_field("WidgetStates.widgets", state) for state in states)
    client_state = (
        _string_field("ClientState.query_string", query)
        + _length_field("ClientState.widget_states", widgets)
        + _string_field("ClientState.page_script_hash", page_hash)
        + _string_field("ClientState.page_name", page_name)
    )
    return _length_field("BackMsg.rerun_script", client_state)
