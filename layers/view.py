"""Which URL each map layer fetches for a viewport, filters and the layer switches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from layers import areas, coverage, density, incidents, persons, sites
from layers.urls import LayerFilters, bounds_to_bbox, int_zoom, padded_bbox


@dataclass(frozen=True)
class LayerUrls:
    """One URL (or None: layer off, nothing fetched) per GeoJSON component."""

    areas: str | None
    context: str | None
    labels: str | None
    sites: str | None
    incidents: str | None
    density: str | None
    persons: str | None = None
    coverage: str | None = None

    def as_tuple(self) -> tuple[str | None, ...]:
        return (
            self.areas,
            self.context,
            self.labels,
            self.sites,
            self.incidents,
            self.density,
            self.persons,
            self.coverage,
        )


def live_versions(raw: object) -> dict[str, str]:
    """The layer versions of the live-updates store (``{"i": .., "d": ..}``), keeping
    only short alphanumeric values (the store is the browser's to write)."""
    if not isinstance(raw, Mapping):
        return {}
    return {
        k: v
        for k, v in raw.items()
        if k in ("i", "d") and isinstance(v, str) and 0 < len(v) <= 16 and v.isalnum()
    }


def view_urls(
    bounds: Sequence[Sequence[float]],
    zoom: float,
    filters: LayerFilters,
    visible: Iterable[str],
    site_types: Sequence[str] | None = None,
    persons_mode: str | None = None,
    live: Mapping[str, str] | None = None,
    coverage_allowed: bool = False,
) -> LayerUrls:
    """URLs for the viewport ``bounds`` (Leaflet ``[[s, w], [n, e]]``) at ``zoom``.

    The bbox is padded and snapped (see :func:`layers.urls.padded_bbox`); hidden layers
    get None so they send no request at all. Labels are always on. The key-persons layer
    needs ``persons_mode`` ("points" or "counts", from the user's capabilities): without
    it the layer stays empty whatever the switches say. ``live`` holds the versions of
    the incidents (``"i"``) and density (``"d"``) layers that live updates bump. The
    patrol-coverage layer needs ``coverage_allowed`` likewise.
    """
    z = int_zoom(zoom)
    bbox = padded_bbox(bounds_to_bbox(bounds), z)
    on = set(visible or ())
    ver = live or {}
    return LayerUrls(
        areas=areas.areas_url(bbox, z) if "areas" in on else None,
        context=areas.context_url(bbox, z) if "areas" in on else None,
        labels=areas.labels_url(bbox, z),
        sites=sites.sites_url(bbox, z, site_types) if "sites" in on else None,
        incidents=(
            incidents.incidents_url(bbox, z, filters, ver.get("i")) if "incidents" in on else None
        ),
        density=density.density_url(bbox, z, filters, ver.get("d")) if "density" in on else None,
        persons=persons.persons_url(bbox, z, persons_mode) if "persons" in on else None,
        coverage=(
            coverage.coverage_url(bbox, z, filters)
            if "coverage" in on and coverage_allowed
            else None
        ),
    )
