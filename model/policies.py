"""Funding policies: objects applied to a running model from a start week (the base class and how policies
compose: model/policy.py; those that fund capacity with money: model/funding_policies.py; programmes and changes
to how the service works: model/programme_policies.py). ``POLICY_TYPES`` names each by the ``type`` a scenario
file gives."""

from __future__ import annotations

from .funding_policies import LinkWorkerFunding, ReferralTariff, SupportedDischarge, VCSECapacityGrants
from .policy import Policy, within_bounds
from .programme_policies import (GuaranteedContinuity, LinkWorkerTraining, LongTermSupport, PeerSupportProgramme,
                                 PublicAwareness)  # fmt: skip

__all__ = ["POLICY_TYPES", "GuaranteedContinuity", "LinkWorkerFunding", "LinkWorkerTraining", "LongTermSupport",
           "PeerSupportProgramme", "Policy", "PublicAwareness", "ReferralTariff", "SupportedDischarge",
           "VCSECapacityGrants", "within_bounds"]  # fmt: skip

POLICY_TYPES: dict[str, type[Policy]] = {
    cls.kind: cls
    for cls in (
        LinkWorkerFunding,
        VCSECapacityGrants,
        ReferralTariff,
        SupportedDischarge,
        PeerSupportProgramme,
        LinkWorkerTraining,
        PublicAwareness,
        LongTermSupport,
        GuaranteedContinuity,
    )
}
