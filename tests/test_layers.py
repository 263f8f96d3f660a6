"""The package's import graph, read with ast: layers import one way, and nothing in a loop.

A unit is a top-level module (lgo_letters/letter.py) or a package (lgo_letters/build/).
LAYERS lists them from the bottom up: a unit imports only units of lower layers, never a
sibling of its own layer (what two siblings share lives below them: release/ does not
reach into build/) nor a higher one; and no units import each other in a loop. One
command never imports another. Imports inside functions count too: a lazy import is still a
dependency. The README's "Code layout" shows the same table.
"""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from pathlib import Path

import lgo_letters

PACKAGE = Path(lgo_letters.__file__).parent

# From the bottom up. schema → context → render → build/serve/release/exchange/checking/
# golden → commands → CLI, and each top-level module where its imports put it; what two
# siblings share lives below them (manifest, signals, sentences, sheets, layout).
LAYERS: list[set[str]] = [
    {"lgo_letters", "errors", "hashing"},  # the package's version; error kinds; sha256
    {"output"},  # atomic writes, folder locks
    {"caches", "filesets", "manifest", "signals", "sentences"},
    {"schema"},  # records → validated model
    {"context", "sheets"},  # the letter context; spreadsheets as cells
    {"renderer"},  # template → HTML → PDF bytes
    {"layout"},  # the one PDF step and its worker processes
    {"completeness"},  # warnings: pooled averages, the official councils list
    {"project"},  # prepare_year
    {"inputs", "letter"},  # what a letter is made from; the one decision and failure
    {"exchange", "formatdiff", "newyear"},  # spreadsheets in and out; wording; a new year
    {"build", "checking", "golden", "release"},  # checking and release read exchange's files
    {"serve"},  # the live preview and the review desk (release/, checking/)
    {"report"},  # how problems reach the terminal
    {"commands"},  # one module a command
    {"cli"},
    {"__main__"},  # python -m lgo_letters
]

# Known loops other branches are removing; the lead engineer empties this at merge time.
ALLOWED: set[tuple[str, str]] = {
    # branch `counts`: schema/formats.py → context.numbers, schema/text.py → renderer.fonts,
    # renderer/templates.py loading format.yaml (schema's job).
    ("schema", "context"),
    ("schema", "renderer"),
}


def _unit(module: str) -> str:
    """lgo_letters.build.plan → build; lgo_letters.letter → letter; lgo_letters → itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _module_of(file: Path) -> str:
    parts = file.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """The lgo_letters modules an import statement names (relative imports resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = module.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module or ""
    # `from lgo_letters import __version__` names the package; `from lgo_letters.x import y`
    # may name the module x.y: the unit is the same either way, except at the top.
    if target == "lgo_letters":
        return [f"lgo_letters.{alias.name}" for alias in node.names]
    return [target]


@functools.cache
def import_graph() -> dict[tuple[str, str], list[str]]:
    """(importing unit, imported unit) → where: file:line of each such import."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for file in sorted(PACKAGE.rglob("*.py")):
        module = _module_of(file)
        tree = ast.parse(file.read_text(encoding="utf-8"), str(file))
        for node in ast.walk(tree):
            for target in _imported(node, module, file.name == "__init__.py"):
                if target != "lgo_letters" and not target.startswith("lgo_letters."):
                    continue
                if target.startswith("lgo_letters.") and not _is_unit_member(target):
                    target = "lgo_letters"  # an attribute of the package itself
                source_unit, target_unit = _unit(module), _unit(target)
                where = f"{file.relative_to(PACKAGE.parent)}:{node.lineno}"
                if source_unit != target_unit or _crosses_modules(module, target):
                    edges[(source_unit, target_unit)].append(where)
    return edges


def _is_unit_member(target: str) -> bool:
    first = target.split(".")[1]
    return (PACKAGE / f"{first}.py").is_file() or (PACKAGE / first).is_dir()


def _crosses_modules(module: str, target: str) -> bool:
    """Within `commands`, one command importing another is what counts (the package's
    modules importing each other elsewhere is a package's own business)."""
    if _unit(module) != "commands" or module == "lgo_letters.commands":
        return False
    return module.split(".")[:3] != target.split(".")[:3]


def _layer_of() -> dict[str, int]:
    return {unit: index for index, layer in enumerate(LAYERS) for unit in layer}


def _units() -> set[str]:
    units = {_unit(_module_of(file)) for file in PACKAGE.glob("*.py")}
    units |= {d.name for d in PACKAGE.iterdir() if (d / "__init__.py").is_file()}
    return units


def test_every_unit_has_a_place_in_the_layers() -> None:
    placed = [unit for layer in LAYERS for unit in layer]
    assert len(placed) == len(set(placed)), "a unit is in two layers"
    assert _units() == set(placed)


def test_imports_run_down_the_layers_never_up_or_across() -> None:
    layer = _layer_of()
    wrong = {
        f"{source} (layer {layer[source]}) → {target} (layer {layer[target]}): {', '.join(at)}"
        for (source, target), at in import_graph().items()
        if layer[target] >= layer[source] and (source, target) not in ALLOWED
    }
    assert not wrong, "\n".join(sorted(wrong))


def test_no_units_import_each_other_in_a_loop() -> None:
    edges = {edge for edge in import_graph() if edge not in ALLOWED}
    following: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        following[source].add(target)
    loops = []
    for start in sorted(following):
        # Every unit reachable from `start`; a path back to it is a loop.
        path_to = {start: [start]}
        queue = [start]
        while queue:
            unit = queue.pop(0)
            for nxt in sorted(following[unit]):
                if nxt == start:
                    loops.append(" → ".join([*path_to[unit], start]))
                elif nxt not in path_to:
                    path_to[nxt] = [*path_to[unit], nxt]
                    queue.append(nxt)
    assert not loops, "\n".join(sorted(set(loops)))


def test_the_allowed_exceptions_are_still_needed() -> None:
    """An exception nobody needs any more is removed from ALLOWED, not left to hide one."""
    graph = import_graph()
    assert {edge for edge in ALLOWED if edge in graph} == ALLOWED
