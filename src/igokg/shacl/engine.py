"""Validate a data store against a shapes graph: the fast engine where it can, pySHACL where not.

Input: the shapes (an index of the parsed shapes file, literals as written), the data store,
and the literals the store rewrote (`lexical.AsWritten`). Output: an `Outcome`, the results
and which shapes pySHACL checked and why.

Each unit (a shape with targets, or one property shape of it) that the compiler refuses, or
whose queries fail at run time, is checked by pySHACL instead, on the same terms: the
validation goes on, and `Outcome.fallbacks` says what went where, one line each.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

import pyoxigraph as ox

from igokg.errors import UnsupportedShape
from igokg.report import ShaclResult, shacl_sort_key
from igokg.shacl.compiler import CompiledShapes, compile_shapes
from igokg.shacl.lexical import AsWritten, StoredForms
from igokg.shacl.reference import fallback_graph, run_pyshacl, to_rdflib
from igokg.shacl.run import _subclass_closures, run_unit
from igokg.shacl.shapes_graph import _Index

ENGINES = ("fast", "pyshacl")


@dataclass
class Outcome:
    results: list[ShaclResult]
    units: int  # shapes (and property shapes of node shapes) with targets
    fallbacks: list[str] = field(default_factory=list)  # one line per unit pySHACL checked instead
    notes: list[str] = field(default_factory=list)
    chosen: str = "fast"  # the engine asked for

    @property
    def fast_units(self) -> int:
        return self.units - len(self.fallbacks) if self.chosen == "fast" else 0

    @property
    def engine(self) -> str:
        if self.chosen == "pyshacl" or not self.fast_units:
            return "pyshacl"
        if not self.fallbacks:
            return "fast"
        return f"fast engine, pySHACL for {len(self.fallbacks)} of {self.units} shapes"


def validate_shapes(shapes: _Index, data: ox.Store, *, as_written: AsWritten | None = None, engine: str = "fast",
                    union: bool = True, say: Callable[[str], None] | None = None) -> Outcome:
    """Every SHACL result of `data` against `shapes`, sorted."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    say = say or (lambda _m: None)
    as_written = AsWritten() if as_written is None else as_written
    notes = [f"literals as written could not be restored for blank nodes in {where}; they are checked "
             f"as the store holds them" for where in as_written.unmatched]
    with as_written.applied(data) if as_written else nullcontext():
        if engine == "pyshacl":
            results = run_pyshacl(to_rdflib(data), shapes)
            return Outcome(results, 0, [], notes, chosen="pyshacl")
        compiled = compile_shapes(shapes, strict=False, forms=StoredForms())
        results = _run_fast(compiled, data, union, bool(as_written))
        refused = compiled.refusals()
        fallbacks = [f"pySHACL checks {u.name}: the fast engine {_why(u.refused or '')}" for u in refused]
        for line in fallbacks:
            say(line)
        if refused:
            graph, stand_ins = fallback_graph(shapes, compiled)
            results += run_pyshacl(to_rdflib(data), graph, stand_ins, labels=shapes)
    return Outcome(sorted(results, key=shacl_sort_key), len(compiled.units), fallbacks, notes)


def _run_fast(compiled: CompiledShapes, data: ox.Store, union: bool, wrapped: bool) -> list[ShaclResult]:
    """Run the units the compiler accepted; a unit that fails is marked refused, its results dropped."""
    closures = _subclass_closures(data, compiled.classes, union)
    out: list[ShaclResult] = []
    for unit in compiled.units:
        if unit.refused is not None:
            continue
        try:
            out += run_unit(unit, compiled, data, closures, union=union, wrapped=wrapped)
        except UnsupportedShape as exc:
            unit.refused = exc.feature
        except Exception as exc:  # noqa: BLE001 - an error of the store or of our SPARQL: pySHACL takes over
            unit.refused = f"internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return out


def _why(reason: str) -> str:
    if reason.startswith("internal error"):
        return f"failed ({reason})"
    return f"does not compile {reason}"
