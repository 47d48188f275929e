"""The import arrows point one way and no package has a circle inside it (the contracts
in pyproject.toml's [tool.importlinter]), checked in the suite too, so that CI, which runs
``make test``, refuses a back-arrow as ``make lint`` does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_import_contract_is_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


# What code above geodata/ may take from SQLAlchemy: the session it passes down, the
# errors it translates. Statements (select, text, update ...) and engines are geodata's.
ABOVE_GEODATA = ("governance", "briefings", "layers", "pages", "callbacks", "api", "web", "cli")
ALLOWED = {("sqlalchemy.orm", "Session"), ("sqlalchemy", "exc")}


def _sqlalchemy_imports(path: Path) -> list[tuple[int, str, str]]:
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, a.name, "") for a in node.names if a.name.startswith("sqlalchemy")
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            module = node.module or ""
            for alias in node.names:
                if module == "sqlalchemy.exc" or (module, alias.name) in ALLOWED:
                    continue
                found.append((node.lineno, module, alias.name))
    return found


def test_sql_lives_in_geodata() -> None:
    """No module above geodata/ builds SQL: it imports from SQLAlchemy only ``Session``
    and the exceptions (what geodata/ returns and raises)."""
    offending = [
        f"{path.relative_to(ROOT)}:{line} {module} {name}".strip()
        for package in ABOVE_GEODATA
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, module, name in _sqlalchemy_imports(path)
    ]
    offending += [
        f"{name}:{line} {module} {alias}".strip()
        for name in ("app.py", "settings.py")
        for line, module, alias in _sqlalchemy_imports(ROOT / name)
    ]
    assert not offending, "\n".join(offending)
