"""What is drawn on the map: one module per layer, layer URLs and the legend. No SQL."""

from __future__ import annotations

from typing import Final

# Layers a user can switch on and off (the labels are the base map: always on).
# "persons" is offered only to roles that may see key persons (points or counts); it is
# off by default (minimum necessary). "coverage" (patrol coverage per area) only to those
# who supervise patrols. "emerging" (the stored emerging hot-spot analysis) only to those
# with analytics.
TOGGLES: Final = ("areas", "sites", "incidents", "density", "persons", "coverage", "emerging")
DEFAULT_ON: Final = ("areas", "sites", "incidents")
