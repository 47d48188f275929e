"""Drawing a live list again only when it changed.

A screen that follows the live stream (the dispatch board, a department's inbox) is asked
to refresh by every change in its area, most of which leave what it shows as it was.
Redrawing a list of a hundred rows is not free in the browser: each new Dash component
costs time in proportion to all the components on the page (the renderer resets every
new component's state through its store, and each store update runs every component's
selector), so five lists of 50 rows blocked a dispatcher's browser for 4-6 s per change
on this machine. A callback keeps the :func:`fingerprint` of what it drew in a store and
sends ``no_update`` when the next refresh would draw the same: the page keeps its
elements, and with them whatever the user had half-picked in them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from dash import no_update
from dash._utils import to_json


def fingerprint(component: Any) -> str:
    """A digest of what ``component`` (a component, or a list of them) draws: equal
    digests, the same screen."""
    return hashlib.blake2b(to_json(component).encode(), digest_size=16).hexdigest()


def unchanged(shown: Any, mark: str) -> bool:
    """Whether the browser's store ``shown`` (any JSON: the caller may send anything)
    holds ``mark``."""
    return isinstance(shown, str) and shown == mark


def only_changed(
    drawn: Mapping[str, Any], shown: Any, *, redraw: Iterable[str] = ()
) -> tuple[dict[str, Any], dict[str, str]]:
    """For each part of a screen (``drawn``: name -> components), what to send: the
    components, or ``no_update`` where the browser's store ``shown`` (the mapping this
    returned last time, or anything a caller sent) holds the same fingerprint; the parts
    named in ``redraw`` are sent whatever it holds. Returns (what to send, the store)."""
    marks = {name: fingerprint(part) for name, part in drawn.items()}
    before = dict(shown) if isinstance(shown, dict) else {}
    for name in redraw:
        before.pop(name, None)
    send = {
        name: no_update if unchanged(before.get(name), marks[name]) else part
        for name, part in drawn.items()
    }
    return send, marks
