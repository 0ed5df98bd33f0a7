"""What the model reports as it runs: the weekly series (Mesa DataCollector reporters) and the outcome
records. Nothing here changes the pathway; the pathway's own counters are in ``counters.py`` and the
wellbeing trajectories since referral in ``trajectories.py``."""

from __future__ import annotations

import math
from functools import partial
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
import pandas as pd

from .outcome_table import OutcomeTable
from .outcomes import OutcomeRecord
from .states import PathwayState

if TYPE_CHECKING:
    from .model import SocialPrescribingModel

WELLBEING_KEYS = ("mean_swemwbs", "mean_swemwbs_change", "mean_ucla", "mean_ucla_change")


class Observers:
    """The weekly series and the outcome records of one run."""

    def __init__(self, model: SocialPrescribingModel):
        self.model = model
        self.records = OutcomeTable()  # the outcome records, as typed columns
        self.datacollector = mesa.DataCollector(model_reporters=reporters())
        self._wellbeing: tuple[int, dict[str, float]] | None = None

    def collect(self) -> None:
        self.datacollector.collect(self.model)

    def add(self, record: OutcomeRecord) -> int:
        """Keep ``record``; returns its row in the table."""
        return self.records.append(record)

    def outcomes(self) -> pd.DataFrame:
        """One row per closed record."""
        return self.records.frame()

    def series(self) -> pd.DataFrame:
        return self.datacollector.get_model_vars_dataframe()

    def wellbeing_means(self) -> dict[str, float]:
        """Mean SWEMWBS and UCLA-3, and their change since referral, over people within follow-up.

        Taken over everyone referred in the last follow-up window, whatever their state, so that the
        counterfactual (no social prescribing) is measured on the same footing. Read once a week (the
        four reporters share the reading) from the wellbeing register.
        """
        model = self.model
        if self._wellbeing is not None and self._wellbeing[0] == model.week:
            return self._wellbeing[1]
        sw, lo, sw0, lo0 = model.register.open_scores(model.week, model.course, model.p)
        if len(sw):
            values = (sw, sw - sw0, lo, lo - lo0)
            means = dict(zip(WELLBEING_KEYS, (_mean(value) for value in values), strict=True))
        else:
            means = dict.fromkeys(WELLBEING_KEYS, math.nan)
        self._wellbeing = (model.week, means)
        return means


def _mean(values: np.ndarray) -> float:
    """``float(values.mean())`` without NumPy's Python layer (a few microseconds a call): the same sum (``mean``'s own
    reduction), divided by the count as ``mean`` divides it."""
    return float(np.add.reduce(values, axis=None)) / len(values)


def _state_count(state: PathwayState):
    """The reporter of the people in ``state`` (read from the counters, as they move)."""
    return lambda model: model.counters.in_state[state]


def _wellbeing(model: SocialPrescribingModel, key: str) -> float:
    return model.observers.wellbeing_means()[key]


def reporters() -> dict[str, Any]:
    """The weekly series: people in each pathway state, waiting lists, caseloads, groups, wellbeing, spend."""
    out: dict[str, Any] = {state.name.lower(): _state_count(state) for state in PathwayState}
    out.update(
        {
            "referrals": lambda m: m.counters.referred,
            "lw_waiting": _state_count(PathwayState.AWAITING_LINK_WORKER),
            "group_waiting": lambda m: m.community.waiting(),
            "caseload": lambda m: m.workforce.caseload(),
            "caseload_capacity": lambda m: m.workforce.caseload_capacity(),
            "link_workers": lambda m: m.workforce.fte_in_post(),
            "open_groups": lambda m: m.community.open_count(),
            "group_places": lambda m: m.community.places(),
            "in_groups": lambda m: len(m.attending),  # attending + sustained + volunteering
            **{key: partial(_wellbeing, key=key) for key in WELLBEING_KEYS},
            "commissioner_spend_gbp": lambda m: m.ledger.commissioner_spend,
        }
    )
    return out
