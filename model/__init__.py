"""An agent-based model of social prescribing pathways in England, on Mesa.

    from . import SocialPrescribingModel
    m = SocialPrescribingModel(rng=42, population=50_000)
    m.run_for(52 * 3)

The names below are imported when first asked for (PEP 562), so that a command that only reads parameters, places
or costs (``spsim list``, ``spsim show``, a bad input's one line, the main process of ``spsim run``, whose workers
run the models) does not import Mesa and what it pulls in (about 0.7 s).
"""

from importlib import import_module

# each name, and the module of this package it lives in
_WHERE = {
    "Cohort": "states",
    "LinkWorker": "link_worker",
    "ParameterError": "parameters",
    "PathwayState": "states",
    "Patient": "patient",
    "ReferralSource": "states",
    "Service": "states",
    "SocialPrescribingModel": "model",
    "VCSEGroup": "vcse_group",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value  # (asked for once)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
