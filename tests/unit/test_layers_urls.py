"""layers/urls.py and layers/view.py: bbox padding and snapping, filters, layer URLs."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from layers.urls import (
    LayerFilters,
    bounds_to_bbox,
    format_bbox,
    int_zoom,
    layer_url,
    padded_bbox,
    snap_step,
)
from layers.view import view_urls

# A viewport over 城区 at about zoom 13, its padded edges ~0.002° from the snap lines.
VIEW = (115.312, 22.7615, 115.432, 22.8315)


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_padded_bbox_contains_the_view_with_margin() -> None:
    minlon, minlat, maxlon, maxlat = padded_bbox(VIEW, 13)
    dx, dy = VIEW[2] - VIEW[0], VIEW[3] - VIEW[1]
    assert minlon <= VIEW[0] - 0.25 * dx and maxlon >= VIEW[2] + 0.25 * dx
    assert minlat <= VIEW[1] - 0.25 * dy and maxlat >= VIEW[3] + 0.25 * dy
    # ... but not much more than one snap step beyond the padding
    step = snap_step(13)
    assert minlon > VIEW[0] - 0.25 * dx - step - 1e-9
    assert maxlat < VIEW[3] + 0.25 * dy + step + 1e-9


def test_padded_bbox_is_snapped_to_the_zoom_grid() -> None:
    step = snap_step(13)
    for v in padded_bbox(VIEW, 13):
        assert abs(v / step - round(v / step)) < 1e-3


@pytest.mark.parametrize("shift", [0.0005, 0.001, -0.0008])
def test_small_pans_reuse_the_same_bbox(shift: float) -> None:
    moved = (VIEW[0] + shift, VIEW[1] + shift, VIEW[2] + shift, VIEW[3] + shift)
    assert padded_bbox(moved, 13) == padded_bbox(VIEW, 13)


def test_a_large_pan_changes_the_bbox() -> None:
    moved = (VIEW[0] + 0.05, VIEW[1], VIEW[2] + 0.05, VIEW[3])
    assert padded_bbox(moved, 13) != padded_bbox(VIEW, 13)


def test_padded_bbox_stays_valid_at_the_edges_of_the_world() -> None:
    minlon, minlat, maxlon, maxlat = padded_bbox((-180.0, -89.0, 180.0, 89.0), 1)
    assert -180 <= minlon < maxlon <= 180 and -85 <= minlat < maxlat <= 85


def test_padded_bbox_of_a_degenerate_view_is_not_empty() -> None:
    minlon, minlat, maxlon, maxlat = padded_bbox((115.3, 22.8, 115.3, 22.8), 14)
    assert minlon < 115.3 < maxlon and minlat < 22.8 < maxlat


def test_bounds_and_zoom_conversion() -> None:
    assert bounds_to_bbox([[22.7, 115.2], [22.9, 115.5]]) == (115.2, 22.7, 115.5, 22.9)
    assert int_zoom(12.6) == 13
    assert int_zoom(None) == 0
    assert int_zoom(40) == 22


def test_format_bbox_has_no_float_noise() -> None:
    assert format_bbox((115.25000000001, 22.5, 116.0, 23.125)) == "115.25,22.5,116,23.125"


def test_layer_url_shape() -> None:
    url = layer_url("sites", (115.0, 22.5, 116.0, 23.5), 11, {"types": "school,market", "x": ""})
    assert url.startswith("/api/v1/layers/sites?")
    assert _query(url) == {"bbox": "115,22.5,116,23.5", "z": "11", "types": "school,market"}
    assert "school,market" in url  # commas are left readable


def test_filters_normalise_control_values() -> None:
    f = LayerFilters.from_inputs("7d", "2026-01-01", "2026-02-01", ["b", "a", "a", ""], None)
    assert f == LayerFilters(window="7d", categories=("a", "b"))
    assert f.params() == {"window": "7d", "categories": "a,b"}
    bad = LayerFilters.from_inputs("forever", None, None, None, None)
    assert bad.params() == {"window": "30d"}


def test_custom_window_sends_days() -> None:
    f = LayerFilters.from_inputs("custom", "2026-01-01T00:00:00", "2026-01-31", None, ["grid"])
    assert f.params() == {"start": "2026-01-01", "end": "2026-01-31", "sources": "grid"}
    assert f.time_args() == (None, "2026-01-01", "2026-01-31")
    # custom without dates falls back to the default window
    assert LayerFilters.from_inputs("custom", None, None, None, None).params() == {"window": "30d"}


def test_view_urls_hidden_layers_have_no_url() -> None:
    bounds = [[VIEW[1], VIEW[0]], [VIEW[3], VIEW[2]]]
    urls = view_urls(bounds, 13, LayerFilters(), ["areas"])
    assert urls.sites is None and urls.incidents is None and urls.density is None
    assert urls.areas and urls.context and urls.labels  # labels are the base map: always on
    off = view_urls(bounds, 13, LayerFilters(), [])
    assert off.areas is None and off.context is None and off.labels


def test_view_urls_levels_follow_zoom() -> None:
    bounds = [[VIEW[1], VIEW[0]], [VIEW[3], VIEW[2]]]
    all_on = ["areas", "sites", "incidents", "density"]
    z13 = view_urls(bounds, 13.2, LayerFilters(window="7d"), all_on)
    assert _query(z13.areas or "")["level"] == "grid"
    assert _query(z13.context or "")["level"] == "community"
    assert _query(z13.areas or "")["format"] == "geobuf"
    assert _query(z13.incidents or "")["window"] == "7d"
    assert _query(z13.density or "")["z"] == "13"
    z9 = view_urls(bounds, 9, LayerFilters(), all_on)
    assert _query(z9.areas or "")["level"] == "county" and z9.context is None


def test_view_urls_change_with_filters_only_for_incident_layers() -> None:
    bounds = [[VIEW[1], VIEW[0]], [VIEW[3], VIEW[2]]]
    all_on = ["areas", "sites", "incidents", "density"]
    a = view_urls(bounds, 12, LayerFilters(window="30d"), all_on)
    b = view_urls(bounds, 12, LayerFilters(window="7d", categories=("safety",)), all_on)
    assert a.areas == b.areas and a.sites == b.sites and a.labels == b.labels
    assert a.incidents != b.incidents and a.density != b.density
    assert _query(b.density or "")["categories"] == "safety"
