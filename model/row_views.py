"""A Patient's attributes that are columns of its row of the wellbeing register (model/wellbeing.py, DESIGN.md 15):
written for many people at once (a week's referrals by ``WellbeingRegister.enrol_many``, a stage's changes over
rows), and seen here as attributes of one person, read now and then. Nothing is held twice: what the register holds
the Patient does not copy when it is made."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .patient import Patient


class RowFlag:
    """A yes/no column of the wellbeing register (same name) seen as an attribute of the person on that row: the
    stages over rows read and write the column for many people at once."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, patient: Patient | None, owner: type | None = None):
        if patient is None:
            return self
        return getattr(patient.model.register, self.name).item(patient.row)  # (a Python bool: no NumPy scalar made)

    def __set__(self, patient: Patient, value: bool) -> None:
        getattr(patient.model.register, self.name)[patient.row] = value


class AtReferral:
    """A number the register wrote for the person's row at referral (same name) seen as a read-only attribute: their
    true scores at referral are read for one person seldom (a supported discharge, tests; a closing record reads the
    columns), so a Patient is made without writing them again. (A descriptor's read costs a Python call, tens of
    times a slot's: what per-person stages read often stays a slot.)"""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, patient: Patient | None, owner: type | None = None):
        if patient is None:
            return self
        return getattr(patient.model.register, self.name).item(patient.row)  # (a Python float)

    def __set__(self, patient: Patient, value) -> None:
        raise AttributeError(f"{self.name} is what the register holds from referral: it does not change")
