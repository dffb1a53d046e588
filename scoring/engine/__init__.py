"""The pure scoring core: data in, results out. No Django, no ORM, no settings.

Both the database path (scoring.services) and the file-based command feed it, so there is one
implementation of every rule. See docs/scheme-format.md for the scheme file and the rules.
"""

from __future__ import annotations

from scoring.engine.classification import band_explanation_lines, classify
from scoring.engine.core import score
from scoring.engine.formula import Formula, Missing, compile_formula
from scoring.engine.formula_tokens import FormulaError
from scoring.engine.input_files import (
    InputFileError,
    read_figures,
    read_manual,
    read_targets,
    read_units,
)
from scoring.engine.output import (
    CSV_DIALECTS,
    ExportInfo,
    result_to_dict,
    write_csv,
    write_json,
    write_table,
    write_xlsx,
)
from scoring.engine.scheme_file import dump_scheme, parse_scheme, scheme_to_dict
from scoring.engine.scheme_load import SchemeError
from scoring.engine.types import (
    Band,
    BandCheck,
    BandExplanation,
    Criterion,
    DataElement,
    EngineWarning,
    Line,
    ManualEntry,
    Result,
    Scheme,
    Standing,
    Succession,
    Warning,
)

__all__ = [
    "CSV_DIALECTS",
    "Band",
    "BandCheck",
    "BandExplanation",
    "Criterion",
    "DataElement",
    "EngineWarning",
    "ExportInfo",
    "Formula",
    "FormulaError",
    "InputFileError",
    "Line",
    "ManualEntry",
    "Missing",
    "Result",
    "Scheme",
    "SchemeError",
    "Standing",
    "Succession",
    "Warning",
    "band_explanation_lines",
    "classify",
    "compile_formula",
    "dump_scheme",
    "parse_scheme",
    "read_figures",
    "read_manual",
    "read_targets",
    "read_units",
    "result_to_dict",
    "scheme_to_dict",
    "score",
    "write_csv",
    "write_json",
    "write_table",
    "write_xlsx",
]
