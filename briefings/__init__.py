"""Rendering of the leaders' briefings (governance.briefings builds the figures).

- ``fonts``: the installed CJK font matplotlib draws the map's labels with;
- ``heatmap``: the H3 heatmap over the area's outlines (matplotlib Agg, no tile server),
  with legend, scale bar and north arrow;
- ``render``: the A4 document as HTML (Jinja2 template), and as PDF / PNG by printing
  that HTML in headless Chromium (text in the PDF stays text, CJK included).
"""
