"""Print how much of the W3C SHACL suite the fast engine answers alone (tests/shacl/test_w3c.py)."""

from __future__ import annotations

import sys


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    module = next((m for name, m in list(sys.modules.items()) if name.endswith("test_w3c") and hasattr(m, "FAST_SHARE")), None)
    share = getattr(module, "FAST_SHARE", None)
    if not share:
        return
    core = {k: v for k, v in share.items() if k.startswith("core/")}
    line = f"W3C SHACL suite: the fast engine answers {sum(share.values())} of {len(share)} tests alone"
    if core:
        line += f"; core: {sum(core.values())} of {len(core)} ({100 * sum(core.values()) / len(core):.1f}%)"
    refused = sorted(k for k, v in share.items() if not v)
    terminalreporter.write_line(line + (f"; pySHACL for: {', '.join(refused)}" if refused else ""))
