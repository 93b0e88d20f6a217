"""Names across scripts: does an English name stand for an Arabic word (match.py), and one spelling of
each name for a whole collection (table.py)."""

from .match import COMMON, glossary, names_in, skeleton_en, skeletons_ar, unmatched_names
from .table import NamesTable

__all__ = ["COMMON", "NamesTable", "glossary", "names_in", "skeleton_en", "skeletons_ar", "unmatched_names"]
