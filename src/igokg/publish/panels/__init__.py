"""Membership panels in the Correlates of War (COW) IGO layout, for researchers.

    model    codes, cell rules, memberships and their coverage
    tables   the `Panels` of a graph and their tables, made row by row
    compute  panels from the graph
    write    CSV + CSVW metadata; the release writer
"""

from igokg.publish.panels.compute import compute_panels
from igokg.publish.panels.model import CODES, PANEL_FILES
from igokg.publish.panels.tables import Panels
from igokg.publish.panels.write import write_panel_files, write_panels

__all__ = ["CODES", "PANEL_FILES", "Panels", "compute_panels", "write_panel_files", "write_panels"]
