"""Which lines mutmut mutates (README, "Mutation testing"); mutmut imports this file itself.

interchange.py is mostly the export and the loader's writes, which the round-trip
tests cover; what would let bad data in is its validation, so there only the
functions that check a document are mutated (the rest are skipped, and counted so).

MUTANTS_LINES=FIRST-LAST limits any module to those lines (1-based, inclusive;
either end may be left out), to carry on a run that stopped part way.
"""

import ast
import os

# Functions and methods that check a document, and the constants they compare against.
VALIDATION = {
    "_type_name",
    "_brief",
    "_text_problem",
    "problem",
    "clean",
    "absent",
    "clean_present",
    "_model_validation",
    "item",
    "check_row",
    "_precision",
    "_unknown_keys",
    "validate",
    "_shown",
    "_references",
    "_symmetrical_conflicts",
    "FORMAT",
    "VERSION",
    "_SURROGATE",
    "_PARTIAL_DATE",
    "_PRECISION_RANK",
    "fold",
}
ONLY = {"articles/interchange.py": VALIDATION}

_spans = {}


def _named_spans(filename, names):
    """0-based line indexes of the definitions and assignments in `filename` called one of `names`."""
    if filename not in _spans:
        with open(filename) as f:
            tree = ast.parse(f.read())
        lines = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                named = node.name
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                named = node.targets[0].id
            else:
                continue
            if named in names:
                lines.update(range(node.lineno - 1, node.end_lineno))
        _spans[filename] = lines
    return _spans[filename]


def _line_range():
    first, _, last = os.environ.get("MUTANTS_LINES", "").partition("-")
    return int(first or 1) - 1, int(last) - 1 if last else float("inf")


def pre_mutation(context):
    line = context.current_line_index
    first, last = _line_range()
    if not first <= line <= last:
        context.skip = True
    names = ONLY.get(os.path.normpath(context.filename))
    if names is not None and line not in _named_spans(context.filename, names):
        context.skip = True
