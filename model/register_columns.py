"""What the wellbeing register (model/wellbeing.py) holds for each referral as floats, and where: its columns are the
rows of one block, named here, so that the stages reading a person's state (``with_service``'s) know its rows."""

from __future__ import annotations

from .mechanisms import FLOORS, LEVELS

# person: the catchment row whose natural course the score follows; swemwbs0/ucla0: true scores at
# referral; support_from/until: link worker support (inf: not begun / not ended); level_*: the mechanisms
# (psychological, social, behavioural) and floor_*: what is kept of each for good; paused_at: when attendance
# last stopped (inf: attending, or never attended); weeks_attended: sessions; work_seeking: extra job-search weeks.
# Every column is a row of one block, the state the scores are built on (``with_service``) its last rows, so that a
# person's state is read for many rows in one gather, not eleven (a projection's leavers, follow-up's rows)
STATE = ("half_life", "gain_scale", *LEVELS, *FLOORS, "paused_at", "support_from", "support_until")
COLUMNS = ("referred_week", "person", "swemwbs0", "ucla0", "weeks_attended", "work_seeking", *STATE)
STATE_ROWS = slice(len(COLUMNS) - len(STATE), len(COLUMNS))  # the state's rows of the block
STATE_KEYS = ("half_life", "scale", *LEVELS, *FLOORS, "paused", "support_from", "support_until")  # with_service's
NOT_YET = ("paused_at", "support_from", "support_until")  # columns that start at infinity
NOT_YET_ROWS = [COLUMNS.index(name) for name in NOT_YET]  # their rows of the block
