"""Rendering of the leaders' briefings: called with a finished briefing
(``governance.briefing_model.Briefing``, built by ``governance.briefings``); knows no
database. ``briefings`` may import ``governance``; ``governance`` never imports
``briefings`` (its callers pass :func:`briefings.render.render` in).

- ``fonts``: the installed CJK font matplotlib draws the map's labels with;
- ``heatmap``: the H3 heatmap over the area's outlines (matplotlib Agg, no tile server),
  with legend, scale bar and north arrow;
- ``render``: the A4 document as HTML (Jinja2 template), and as PDF / PNG by printing
  that HTML in headless Chromium (text in the PDF stays text, CJK included).
"""
