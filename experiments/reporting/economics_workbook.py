"""economics.xlsx: the economic evaluation's tables as sheets, for commissioners who work in spreadsheets, with a
sheet that says what each quantity is and the run's settings (the tables are experiments/analysis/
cost_effectiveness.py's)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

DEFINITIONS = [
    ("perspective", "NHS and personal social services (NICE PMG36 reference case)"),
    ("whom", "everyone referred in the measurement window (after the warm-up), including people whose follow-up "
             "had not finished when the run ended"),
    ("horizon", "economic_horizon_years from each referral; read from the model each week while the person is in "
                "the pathway (past follow-up too); after they leave (or the run ends) the natural course is held and "
                "the service's gains fade as the model's gains fade after attendance stops"),
    ("discounting", "costs and effects at discount_rate_per_year, week w after the window opens weighing "
                    "(1 + rate)^(-w/52)"),
    ("QALYs", "utility above the natural course's each week / 52; utility linear in SWEMWBS "
              "(utility_per_swemwbs_point, anchored at the population mean), bounded to ReQoL-UI's -0.195 to 1"),
    ("WELLBYs", "SWEMWBS above the natural course x ls_per_swemwbs_point / 52 each week; valued at wellby_value_gbp"),
    ("care costs", "GP consultations and A&E attendances expected from each week's wellbeing and loneliness, "
                   "minus the natural course's, at PSSRU unit costs; secondary mental health team contacts saved "
                   "from a supported discharge to the horizon, for as long as routine discharge would have kept "
                   "the person on the caseload and they have not been referred back (cmht_rereferral_rate_per_year)"),
    ("net cost", "the service's cost in the window (discounted; posts at their full economic cost, not the "
                 "commissioner's cash) plus the change in care costs"),
    ("return per extra pound", "incremental_return_per_pound: WELLBY value plus savings added over the reference, "
                               "per extra pound of service cost"),
    ("NMB", "value of a QALY x QALYs gained - net cost, at 20,000 and 30,000 GBP per QALY"),
    ("probability most cost-effective", "share of paired replicates in which the scenario has the highest NMB "
                                        "(chance alone; spsim psa adds parameter uncertainty)"),
]


def write(path: Path, sheets: dict[str, pd.DataFrame], settings: dict) -> Path:
    """economics.xlsx: the summary tables as sheets, and one sheet of definitions and settings (openpyxl)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    about = book.create_sheet("Read me")
    about.append(["spsim economic evaluation", ""])
    for key, value in settings.items():
        about.append([key, value])
    about.append([])
    for key, value in DEFINITIONS:
        about.append([key, value])
    about.column_dimensions["A"].width = 32
    about.column_dimensions["B"].width = 120
    for name, frame in sheets.items():
        sheet = book.create_sheet(name[:31])
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([_cell(v) for v in row])
        for i, column in enumerate(frame.columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(str(column)) + 2))
        sheet.freeze_panes = "B2"
    partial = path.with_name(path.name + ".partial.xlsx")
    book.save(partial)
    partial.replace(path)
    return path


def _cell(value):
    if isinstance(value, float) and math.isnan(value):
        return None  # an empty cell, not the text "nan"
    if isinstance(value, np.generic):
        return value.item()
    return value
