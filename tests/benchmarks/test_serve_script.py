"""The serve benchmark says what bounds its lowest ratio, on that row's figures."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import serve

    return serve


def test_the_bound_is_said_on_the_row_of_the_lowest_ratio_with_both_servers_cpu_per_request():
    serve = _bench()
    row = serve.Row
    rows = [
        ("seed", "ask", 16, {"igokg": row(100, 0, 800.0, 1.0, 48.0), "oxigraph": row(100, 0, 1000.0, 1.0, 37.0)}),
        ("seed", "join-posts", 16, {"igokg": row(100, 0, 1800.0, 1.0, 250.0), "oxigraph": row(100, 0, 1000.0, 1.0, 460.0)}),
        ("seed", "construct", 1, {"igokg": row(0, 1, 0.0, 1.0, 1.0), "oxigraph": row(100, 0, 1000.0, 1.0, 80.0)}),
    ]
    line = serve.bound_line(rows, lambda: 17.2)
    assert "(seed ask c=16)" in line  # 0.80, the lowest; a row igokg answered nothing in is left out
    assert "is 17 µs of CPU" in line
    assert "Oxigraph server's whole request costs 37 µs and igokg's 48: the 11 µs between them" in line
    cheaper = [("seed", "ask", 1, {"igokg": row(100, 0, 900.0, 1.0, 60.0), "oxigraph": row(100, 0, 1000.0, 1.0, 66.0)})]
    assert "no more CPU, so the gap is in waiting" in serve.bound_line(cheaper, lambda: 17.0)
    assert serve.bound_line([("seed", "ask", 1, {"igokg": row(0, 1, 0.0, 1.0, 1.0)})], lambda: 17.0) is None


def test_the_engines_fixed_cost_per_query_is_measured_in_this_process():
    cost = _bench().engine_fixed_cost(200)
    assert 0.5 < cost < 5000  # microseconds of CPU for ASK {}: setup, not work
