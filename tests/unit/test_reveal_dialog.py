"""The reveal dialog (pages/reveal_dialog.py): one component for a key person and an
incident's reporter, served by one callback (callbacks/reveal_dialog.py)."""

from __future__ import annotations

from typing import Any

from callbacks.reveal_dialog import KINDS
from governance.reveal_reason import MIN_REASON, REASON_MAX
from pages import map_person, map_reporter
from pages.reveal_dialog import RevealDialog


def _walk(component: Any) -> list[Any]:
    children = getattr(component, "children", None)
    inner = children if isinstance(children, list) else [children] if children else []
    return [component, *(c for x in inner for c in _walk(x))]


def test_every_kind_drawn_by_a_page_has_a_service_and_a_view() -> None:
    assert set(KINDS) == {map_person.KIND, map_reporter.KIND}


def test_ids_name_kind_and_object_under_the_map_prefix() -> None:
    dialog = RevealDialog("reporter", 42, "zh-CN", note_key="n", placeholder_key="p")
    ids = [c.id for c in _walk(dialog) if isinstance(getattr(c, "id", None), dict)]
    assert ids == [
        RevealDialog.ids.reason("reporter", 42),
        RevealDialog.ids.button("reporter", 42),
        RevealDialog.ids.message("reporter", 42),
    ]
    # the guard lets callbacks through by the prefix of their outputs (map: MAP_VIEW)
    assert all(i["type"].startswith("map-") and i["object"] == 42 for i in ids)
    assert RevealDialog.ids.view("person", 7) == {
        "type": RevealDialog.ids.VIEW,
        "kind": "person",
        "object": 7,
    }


def test_reason_input_bounds_and_optional_title() -> None:
    plain = RevealDialog("reporter", 1, "en", note_key="n", placeholder_key="p")
    titled = RevealDialog(
        "person", 1, "en", title_key="t", note_key="n", placeholder_key="p", className="x"
    )
    reason = next(
        c for c in _walk(plain) if getattr(c, "id", None) == plain.ids.reason("reporter", 1)
    )
    assert reason.minLength == MIN_REASON and reason.maxLength == REASON_MAX
    assert not getattr(reason, "persistence", None)  # a reason is never kept in the browser
    assert plain.className == "mq-reveal" and titled.className == "x"
    assert [type(c).__name__ for c in titled.children][0] == "H3"
    assert "H3" not in [type(c).__name__ for c in plain.children]
