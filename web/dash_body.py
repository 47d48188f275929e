"""A Dash callback request read the way Dash reads it, before Dash reads it.

``POST /_dash-update-component`` names the callback by its ``output`` key and passes its
arguments *by position*: ``inputs`` then ``state``, in the order the callback declared
them (``dash.Dash._initialize_context`` / ``_prepare_callback``). A hand-made body may
name an unknown callback, leave out its state, give an input another component's id, or
put a second ``_pages_location.pathname`` where Dash does not look. Dash would answer
those with a 500, or run with values the guard never saw. Here the body must match its
callback's declaration exactly, id by id, or it is refused (400) before Dash runs; the
guard then decides with the callback's *declared* outputs and the values at the
positions Dash will use.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

# Dash lists every input that changed, each component of a pattern (ALL) among them: a
# department inbox of a few hundred cases changes a few hundred at once. The body's size
# is bounded already; this only keeps the list a list of plausible ids.
MAX_CHANGED: Final = 10_000
MAX_PROP_ID: Final = 2_000


class BadCallback(ValueError):
    """The body does not match any registered callback's declaration."""


@dataclass(frozen=True)
class Callback:
    """A checked callback request: its key, declared output ids and argument values."""

    key: str
    output_ids: tuple[str, ...]  # component ids (pattern ids: their "type")
    inputs: tuple[Any, ...]  # the items Dash maps to the function, in order
    state: tuple[Any, ...]

    def value(self, component: str, prop: str) -> Any:
        """The value Dash will pass for the declared input or state ``component.prop``
        (None if the callback does not declare it)."""
        for item in (*self.inputs, *self.state):
            if (
                isinstance(item, dict)
                and item.get("id") == component
                and item.get("property") == prop
            ):
                return item.get("value")
        return None


def _spec_id(raw: str) -> str | dict[str, Any]:
    """A declared id: a plain string, or a pattern id serialised as JSON."""
    if raw.startswith("{"):
        try:
            parsed = json.loads(raw)
        except ValueError:
            return raw
        if isinstance(parsed, dict):
            return parsed
    return raw


def _is_wildcard(v: Any) -> bool:
    return isinstance(v, list) and len(v) == 1 and v[0] in ("ALL", "MATCH", "ALLSMALLER")


def _matches_pattern(spec: Mapping[str, Any], cid: Any) -> bool:
    if not isinstance(cid, dict) or set(cid) != set(spec):
        return False
    return all(_is_wildcard(v) or cid[k] == v for k, v in spec.items())


def _item_ok(item: Any, spec_id: str | dict[str, Any], prop: str) -> bool:
    if not isinstance(item, dict) or item.get("property") != prop:
        return False
    if isinstance(spec_id, dict):
        return _matches_pattern(spec_id, item.get("id"))
    return item.get("id") == spec_id


def _arg_ok(item: Any, spec: Mapping[str, Any]) -> bool:
    """One declared input or state against the body's item at its position."""
    spec_id, prop = _spec_id(str(spec.get("id"))), str(spec.get("property"))
    if isinstance(spec_id, dict):
        multi = any(v in (["ALL"], ["ALLSMALLER"]) for v in spec_id.values())
        if multi:
            return isinstance(item, list) and all(_item_ok(i, spec_id, prop) for i in item)
    return _item_ok(item, spec_id, prop)


def _declared_outputs(key: str) -> tuple[str, ...]:
    """Component ids of a callback key (``a.children`` or ``..a.x...b.y..``); pattern
    ids by their ``type``."""
    ids = []
    for part in key.strip(".").split("..."):
        cid = part.rsplit(".", 1)[0]
        spec = _spec_id(cid)
        ids.append(str(spec.get("type", "")) if isinstance(spec, dict) else cid)
    return tuple(ids)


def _outputs_ok(outputs: Any, key: str) -> bool:
    declared = [p.rsplit(".", 1) for p in key.strip(".").split("...")]
    items = outputs if isinstance(outputs, list) else [outputs]
    if len(items) != len(declared):
        return False
    for item, (cid, prop) in zip(items, declared, strict=True):
        spec_id = _spec_id(cid)
        if isinstance(spec_id, dict) and isinstance(item, list):
            if not all(_item_ok(i, spec_id, prop) for i in item):
                return False
        elif not _item_ok(item, spec_id, prop):
            return False
    return True


def outputs_of(body: Any, callback_map: Mapping[str, Mapping[str, Any]]) -> tuple[str, ...]:
    """The declared output ids of the callback ``body`` names (:class:`BadCallback` if it
    names none): what a permission check looks at before the arguments are read."""
    if not isinstance(body, dict):
        raise BadCallback("not an object")
    key = body.get("output")
    if not isinstance(key, str) or key not in callback_map:
        raise BadCallback("unknown callback")
    return _declared_outputs(key)


def check(body: Any, callback_map: Mapping[str, Mapping[str, Any]]) -> Callback:
    """``body`` as a request for one registered callback, or :class:`BadCallback`."""
    outputs_of(body, callback_map)
    key = body["output"]
    spec = callback_map[key]
    inputs, state = body.get("inputs", []), body.get("state", [])
    if not isinstance(inputs, list) or not isinstance(state, list):
        raise BadCallback("inputs and state must be lists")
    declared_in, declared_st = spec.get("inputs", []), spec.get("state", [])
    if len(inputs) != len(declared_in) or len(state) != len(declared_st):
        raise BadCallback("arguments do not match the callback")
    for item, d in zip([*inputs, *state], [*declared_in, *declared_st], strict=True):
        if not _arg_ok(item, d):
            raise BadCallback(f"argument {d.get('id')}.{d.get('property')} does not match")
    if not spec.get("no_output") and not _outputs_ok(body.get("outputs"), key):
        raise BadCallback("outputs do not match the callback")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or len(changed) > MAX_CHANGED:
        raise BadCallback("changedPropIds")
    if not all(isinstance(c, str) and len(c) <= MAX_PROP_ID for c in changed):
        raise BadCallback("changedPropIds")
    return Callback(key, _declared_outputs(key), tuple(inputs), tuple(state))
