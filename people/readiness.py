"""The readiness ladder and its one rule (ARCHITECTURE.md, "Readiness ladder").

A participant stands on a step (1–5), set by a coach's assessments; an
opportunity asks for a minimum step. The rule, used by every page, the API,
imports and the ranking:

- the person's step reaches the minimum: it **fits**;
- the minimum is one step above: a **next step**, which a coach approves;
- two or more steps above: **too high**, never offered.

Readiness ranks and supports people; it never hides the lower steps.
Everything that compares a step with a minimum step goes through this module,
so the "one above" lives here and nowhere else.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Readiness(models.IntegerChoices):
    CONNECTING = 1, _("1 つながる")
    ROUTINE = 2, _("2 生活リズム")
    PARTICIPATION = 3, _("3 参加")
    WORK_TRAINING = 4, _("4 就労訓練")
    EMPLOYMENT_READY = 5, _("5 就労準備完了")


FIT = "fit"
NEXT_STEP = "next_step"
TOO_HIGH = "too_high"

# How far above their own step a person may be placed, with a coach's approval.
STEPS_A_COACH_MAY_APPROVE = 1


def readiness_fit(participant_step: int, min_step: int) -> str:
    """FIT, NEXT_STEP (a coach approves) or TOO_HIGH (never offered)."""
    if participant_step >= min_step:
        return FIT
    if min_step - participant_step <= STEPS_A_COACH_MAY_APPROVE:
        return NEXT_STEP
    return TOO_HIGH


def highest_step_offered(participant_step: int, *, with_next_step: bool = True) -> int:
    """The highest minimum step an opportunity may ask of this person and still be
    offered (``min_readiness__lte=…`` in queries)."""
    return participant_step + (STEPS_A_COACH_MAY_APPROVE if with_next_step else 0)


def lowest_step_reaching(min_step: int) -> int:
    """The lowest step a person may stand on and still be offered an opportunity
    with this minimum (``readiness__gte=…`` in queries)."""
    return min_step - STEPS_A_COACH_MAY_APPROVE


def readiness_closeness(participant_step: int, min_step: int) -> float:
    """How well the step suits the person, for ranking: 1.0 for their own step or
    the one below, 0.75 for a next step, a little less for tasks far below (lower
    steps are never hidden, only ranked lower for someone further on), 0 when too high."""
    fit = readiness_fit(participant_step, min_step)
    if fit == TOO_HIGH:
        return 0.0
    if fit == NEXT_STEP:
        return 0.75
    gap = participant_step - min_step
    if gap <= 1:
        return 1.0
    return max(0.4, 1.0 - 0.2 * (gap - 1))
