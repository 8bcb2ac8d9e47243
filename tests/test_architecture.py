"""The shape of the code, checked: no import cycles, and every control a renderer can emit has a handler."""
from __future__ import annotations

import re
from pathlib import Path

import grimp

from bot.core.app import Marquee

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(REPO / "bot").rglob("*.py"), *(REPO / "cogs").rglob("*.py")])
# Every custom_id is built by bot.core.interface.custom_id("action", ...); a "which one?" prompt that
# points its buttons at a feature's own control names the action as pick_action="...".
EMITTED = re.compile(r"""custom_id\(\s*["']([a-z_]+)["']|pick_action\s*=\s*["']([a-z_]+)["']""")


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    modules = sorted(graph.modules)
    edges = {m: sorted(i for i in graph.find_modules_directly_imported_by(m) if i in graph.modules) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles() -> None:
    assert _cycles(grimp.build_graph("bot", "cogs")) == []


def test_custom_ids_are_built_in_one_place() -> None:
    literal = re.compile(r"""["']mq:""")
    offenders = [str(p.relative_to(REPO)) for p in SOURCES
                 if p.name != "interface.py" and literal.search(p.read_text(encoding="utf-8"))]
    assert offenders == [], "build custom_ids with bot.core.interface.custom_id()"


def test_every_control_a_renderer_can_emit_has_a_handler(app: Marquee) -> None:
    emitted: dict[str, str] = {}
    for path in SOURCES:
        for match in EMITTED.finditer(path.read_text(encoding="utf-8")):
            emitted.setdefault(match.group(1) or match.group(2), str(path.relative_to(REPO)))
    assert len(emitted) >= 20, emitted  # the scan finds the controls (it would pass vacuously otherwise)
    missing = {action: where for action, where in emitted.items() if action not in app.handlers.components}
    assert missing == {}
