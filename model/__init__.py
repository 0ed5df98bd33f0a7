"""An agent-based model of social prescribing pathways in England, on Mesa.

    from . import SocialPrescribingModel
    m = SocialPrescribingModel(rng=42, population=50_000)
    m.run_for(52 * 3)
"""

from .link_worker import LinkWorker
from .model import SocialPrescribingModel
from .parameters import ParameterError
from .patient import Patient
from .states import Cohort, PathwayState, ReferralSource, Service
from .vcse_group import VCSEGroup

__all__ = [
    "Cohort",
    "LinkWorker",
    "ParameterError",
    "PathwayState",
    "Patient",
    "ReferralSource",
    "Service",
    "SocialPrescribingModel",
    "VCSEGroup",
]
