"""axe-core in the browser tests: the WCAG 2.1 A and AA rules on a Playwright page.

axe-core 4.12 comes bundled with ``axe-playwright-python`` (``axe_playwright_python/axe.min.js``);
it is injected into the page and run in the page itself (Chromium computes the colours,
the accessible names and the roles), so what it reports is what a screen reader and a
person with low vision get from that rendering.

The rule set is fixed here, in one place: the rules axe tags ``wcag2a``, ``wcag2aa``,
``wcag21a`` and ``wcag21aa`` (WCAG 2.0 and 2.1, levels A and AA: names of controls and
fields, ``lang`` on ``<html>``, colour contrast >= 4.5:1 for text, no interactive control
inside another, valid ARIA, keyboard focus order ...). axe's best-practice rules (landmarks
for all content, one ``<h1>``, ...) are not part of that set. A check fails on the
violations axe rates ``serious`` or ``critical``; ``moderate`` and ``minor`` ones are
returned too, for a report, but do not fail it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

TAGS: Final = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
FAILING: Final = frozenset({"serious", "critical"})
MAX_TARGETS: Final = 5  # node targets shown per rule in a message


@cache
def _script() -> str:
    """The source of axe.min.js bundled with axe-playwright-python."""
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on the page: where (CSS selectors of the nodes) and why."""

    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]
    summary: str  # axe's failure summary of the first node (the contrast ratio, ...)

    def line(self) -> str:
        shown = ", ".join(self.targets[:MAX_TARGETS])
        extra = len(self.targets) - MAX_TARGETS
        more = f" (+{extra} more)" if extra > 0 else ""
        first = " ".join(self.summary.split())
        return f"{self.rule} [{self.impact}] x{len(self.targets)}: {self.help}\n    {shown}{more}\n    {first}"


def run(page: Any, context: str | None = None) -> list[Violation]:
    """All WCAG 2.1 A/AA violations axe-core finds on ``page`` now (in ``context``, a CSS
    selector, or the whole document), most severe first."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_script())  # through the debugger: the page's CSP does not apply
    options = {"runOnly": {"type": "tag", "values": list(TAGS)}, "resultTypes": ["violations"]}
    result = page.evaluate(
        "([ctx, opts]) => axe.run(ctx || document, opts).then(r => JSON.stringify(r.violations))",
        [context, options],
    )
    order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
    out = [
        Violation(
            rule=v["id"],
            impact=v.get("impact") or "minor",
            help=v["help"],
            targets=tuple(" ".join(map(str, n["target"])) for n in v["nodes"]),
            summary=(v["nodes"][0].get("failureSummary") or "") if v["nodes"] else "",
        )
        for v in json.loads(result)
    ]
    return sorted(out, key=lambda v: (order.get(v.impact, 4), v.rule))


def failing(violations: list[Violation]) -> list[Violation]:
    """The serious and critical ones: those a check does not accept."""
    return [v for v in violations if v.impact in FAILING]


def report(violations: list[Violation], where: str = "") -> str:
    """A readable assertion message: one paragraph per rule with its node targets."""
    head = f"axe-core (WCAG 2.1 A/AA) on {where}: " if where else "axe-core (WCAG 2.1 A/AA): "
    return head + f"{len(violations)} rule(s)\n" + "\n".join(v.line() for v in violations)


def assert_clean(page: Any, where: str = "", context: str | None = None) -> list[Violation]:
    """Fail on any serious or critical violation; return the lesser ones (for a report)."""
    found = run(page, context)
    bad = failing(found)
    assert not bad, report(bad, where or page.url)
    return [v for v in found if v not in bad]
