"""The import rules that `lint-imports` cannot see (docs/architecture.md).

`lint-imports` (pyproject.toml) checks that each app imports only the apps below it. These
tests add two rules: no module imports another app's views, and no function imports another
app's (or a top-level) module, which is how an upward import hides from a module-level check.
Entry points may import late: apps.py (`ready()`), management commands, the CLI and the URL
root.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import coachroom

PACKAGE = Path(coachroom.__file__).parent
# May import late or import views: they start the program or wire it together.
ENTRY_POINTS = {"cli.py", "config/urls.py"}


def _app(rel: Path) -> str | None:
    """The app a module belongs to; None for top-level modules (cli.py, demo.py, …)."""
    return rel.parts[0] if len(rel.parts) > 1 else None


def _targets(node: ast.Import | ast.ImportFrom) -> list[str]:
    """Every coachroom module an import statement names, e.g. `from coachroom.leading import
    views` names coachroom.leading and coachroom.leading.views."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.startswith("coachroom.")]
    if node.level or not (node.module or "").startswith("coachroom"):
        return []
    module = node.module or ""
    return [module] + [f"{module}.{a.name}" for a in node.names]


def _other_app(target: str, app: str | None) -> str | None:
    parts = target.split(".")
    if len(parts) < 2 or parts[1] == app:
        return None
    return parts[1]


def _late_imports_allowed(rel: Path) -> bool:
    """apps.py (`ready()`), management commands and the CLIs (which run before Django is set up,
    so they import models once it is)."""
    return rel.name in ("apps.py", "cli.py") or "management" in rel.parts


def problems(rel: Path, source: str) -> list[str]:
    """What breaks the rules in one module, as 'path:line: reason'."""
    found: list[str] = []
    app = _app(rel)
    views_allowed = rel.as_posix() in ENTRY_POINTS
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        for target in _targets(node):
            other = _other_app(target, app)
            if other and target.split(".")[-1].endswith("views") and not views_allowed:
                found.append(f"{rel}:{node.lineno}: imports another app's views ({target})")
    if _late_imports_allowed(rel):
        return found
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _targets(node)[:1]:
                    if _other_app(target, app):
                        found.append(f"{rel}:{node.lineno}: imports {target} inside {func.name}()")
    return sorted(set(found))


def _modules() -> list[Path]:
    return [
        p.relative_to(PACKAGE)
        for p in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in p.relative_to(PACKAGE).parts
    ]


def test_the_source_keeps_the_import_rules():
    found = [line for rel in _modules() for line in problems(rel, (PACKAGE / rel).read_text())]
    assert found == []


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        (
            "records/exports.py",
            "from coachroom.reporting.completion_views import tally_cells\n",
            "imports another app's views (coachroom.reporting.completion_views)",
        ),
        (
            "home/views.py",
            "from coachroom.leading import views\n",
            "imports another app's views (coachroom.leading.views)",
        ),
        (
            "scheduling/tasks.py",
            "def due():\n    from coachroom.records.tasks import apply_retention\n",
            "imports coachroom.records.tasks inside due()",
        ),
        (
            "demo.py",
            "def empty():\n    from coachroom.accounts.models import School\n",
            "imports coachroom.accounts.models inside empty()",
        ),
    ],
)
def test_the_rules_catch_what_they_forbid(path, source, expected):
    assert [line.split(": ", 1)[1] for line in problems(Path(path), source)] == [expected]


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("coaching/urls.py", "from coachroom.coaching import views\n"),  # its own views
        ("coaching/views.py", "def f():\n    from coachroom.coaching import services\n"),
        ("scheduling/apps.py", "def ready():\n    from coachroom.coaching import booking\n"),
        ("cli.py", "def cmd():\n    from coachroom.scheduling.worker import run_worker\n"),
        ("imports/cli.py", "def _school():\n    from coachroom.accounts.models import School\n"),
        ("config/urls.py", "from coachroom.accounts import identity_views\n"),
    ],
)
def test_the_rules_allow_entry_points_and_an_apps_own_modules(path, source):
    assert problems(Path(path), source) == []
