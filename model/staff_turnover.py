"""Link workers leaving: a post cut or a link worker who quits, the vacancy left to be filled, and their caseload
handed on to colleagues (Tierney 2025 and BJGP 2023 on pressure and turnover; Wildman 2019 on continuity)."""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from .link_worker import LinkWorker
    from .model import SocialPrescribingModel
    from .states import Service


class Vacancy:
    """A link worker post waiting to be filled (on the model's agenda); a cut post is dropped from the workforce's list."""

    def __init__(self, workforce: StaffTurnover, service: Service):
        self.workforce = workforce
        self.service = service

    def fill(self) -> None:
        if self.workforce.vacancies.pop(self, False) is None:  # still a funded vacancy
            self.workforce.recruit(self.service)


class StaffTurnover:
    """How ``Workforce`` loses link workers; the posts, vacancies and staff in post are ``Workforce``'s own (set up in
    its ``__init__``), as are ``recruit`` and ``link_workers``."""

    model: SocialPrescribingModel
    vacancies: dict[Vacancy, None]
    _in_post: list[LinkWorker]
    link_workers_left: int
    posts_cut: int
    recruit: Callable[[Service], LinkWorker]
    link_workers: Callable[[Service], list[LinkWorker]]

    def cut_post(self, worker: LinkWorker) -> None:
        """A funded post is cut: its link worker goes (not counted as leaving) and their clients are handed on."""
        self.posts_cut += 1
        self._hand_on(worker, replace=False)

    def link_worker_leaves(self, worker: LinkWorker) -> None:
        """A link worker leaves. With guaranteed continuity a colleague takes over at once; otherwise
        their clients go to colleagues with room (continuity broken) and the post stays vacant."""
        self.link_workers_left += 1
        self._hand_on(worker, replace=True)

    def _hand_on(self, worker: LinkWorker, replace: bool) -> None:
        caseload = worker.hand_back_all()
        self._in_post.remove(worker)
        worker.remove()
        if replace and self.model.p.guaranteed_continuity:
            successor = self.recruit(worker.service)
            for patient in caseload:
                patient.link_worker_left(successor, continuity_kept=True)
            return
        if replace:
            vacancy = Vacancy(self, worker.service)
            self.vacancies[vacancy] = None
            self.model.due_in(self.model.p.lw_vacancy_weeks, vacancy.fill)
        # each client to the colleague with most room then (``free_room``; ties: the longest in post, the lowest id):
        # the colleagues as a heap by (-room, unique_id), whose top is that colleague; only their hand-over changes a
        # room here (``Patient.link_worker_left``), so after it only their entry moves
        colleagues = self.link_workers(worker.service)
        by_room = [(w.load - w.caseload_limit, w.unique_id, i) for i, w in enumerate(colleagues)]
        heapq.heapify(by_room)
        for patient in caseload:
            best = colleagues[by_room[0][2]] if by_room and -by_room[0][0] >= patient.caseload_weight else None
            patient.link_worker_left(best, continuity_kept=False)
            if best is not None:
                heapq.heapreplace(by_room, (best.load - best.caseload_limit, best.unique_id, by_room[0][2]))
