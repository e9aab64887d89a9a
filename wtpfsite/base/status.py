"""Where things stand on a given day: milestones, deadlines and meetings relative to `today`. The same rules run
in the reader's browser (templates/static/site.js), so a page built months ago still shows the right status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .dates import DateSpec


@dataclass(frozen=True)
class Deadline:
    state: str  # "open", "closing" (7 days or fewer left), "closed", "none"
    days_left: int


def period_state(spec: DateSpec, today: date) -> str:
    """'past', 'current' or 'future' for a period (a day, a range, a month)."""
    return "past" if spec.end < today else "current" if spec.start <= today else "future"


def deadline(spec: DateSpec | None, today: date) -> Deadline:
    if spec is None:
        return Deadline("none", 0)
    days_left = (spec.end - today).days
    return Deadline("closed" if days_left < 0 else "closing" if days_left <= 7 else "open", days_left)


def milestone_states(periods: list[DateSpec], today: date, fixed: list[str | None] | None = None) -> list[str]:
    """'past', 'current', 'next' (the first future item) or 'upcoming', in the given order. An item with a
    `fixed` state (a postponed or cancelled meeting) keeps it, whatever its dates, and is never the next."""
    fixed = fixed or [None] * len(periods)
    states = [fixed_state or period_state(spec, today) for spec, fixed_state in zip(periods, fixed)]
    first_future = next((i for i, state in enumerate(states) if state == "future"), None)
    return [("next" if i == first_future else "upcoming") if state == "future" else state
            for i, state in enumerate(states)]
