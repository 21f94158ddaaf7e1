"""Excel in: the quarterly template checked whole and written all-or-nothing (see reader.py).

cells.py reads a number as users type it, formulas.py recomputes formula cells, store.py writes in bulk.
"""

from jiqun.monitoring.importer.reader import ImportResult, Problem, ReportImporter

__all__ = ["ImportResult", "Problem", "ReportImporter"]
