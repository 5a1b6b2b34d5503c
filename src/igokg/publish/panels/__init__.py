"""Membership panels in the Correlates of War (COW) IGO layout, for researchers.

    model    codes, cell rules, memberships and their coverage
    tables   the `Panels` of a graph and their tables, made row by row
    phases   codes from status phases (COW, the Factbook), as spans of years
    compute  panels from the graph
    agreement  the panels against COW's own coding
    write    CSV + CSVW metadata; the release writer
"""

from igokg.publish.panels.agreement import Agreement, compare_with_cow, cow_agreement
from igokg.publish.panels.compute import compute_panels
from igokg.publish.panels.model import AGREEMENT_FILE, CODES, PANEL_FILES
from igokg.publish.panels.tables import Panels
from igokg.publish.panels.write import write_panel_files, write_panels

__all__ = ["AGREEMENT_FILE", "CODES", "PANEL_FILES", "Agreement", "Panels", "compare_with_cow", "compute_panels",
           "cow_agreement", "write_panel_files", "write_panels"]
