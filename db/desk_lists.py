"""The desk's lists of one counter's work (first cut: the helper replaces this with keyset pages)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from db.models import Request
from db.setup import Desk
from db.views import is_overdue
from forms.citizen_id import mask_id
from forms.status import OPEN_STATUSES, STATUS_LABELS, Status

LIST_LABELS: dict[str, str] = {
    "today": "今日",
    "pending": "待补正",
    "awaiting": "转办待回",
    "due": "今日到期",
    "overdue": "已超期",
}


@dataclass
class Page:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_after: Any = None
    total: int = 0


def _mine(desk: Desk) -> Any:
    return Request.counter_code == desk.counter_code


def day_counts(desk: Desk, today: dt.date) -> dict[str, int]:
    open_ = Request.status.in_(OPEN_STATUSES)
    return {
        "today": Request.select().where(_mine(desk), Request.opened_on == today).count(),
        "pending": Request.select()
        .where(_mine(desk), Request.status == Status.PENDING_MATERIALS)
        .count(),
        "awaiting": Request.select()
        .where(_mine(desk), Request.status.in_([Status.FORWARDED, Status.REFERRED]))
        .count(),
        "due": Request.select().where(_mine(desk), open_, Request.promised_by == today).count(),
        "overdue": Request.select().where(_mine(desk), open_, Request.promised_by < today).count(),
    }


def page(kind: str, desk: Desk, today: dt.date, *, after: Any = None, limit: int = 50) -> Page:
    query = Request.select().where(_mine(desk), Request.status.in_(OPEN_STATUSES))
    rows = [
        {
            "ticket": r.ticket,
            "service_name": r.service_name,
            "name": r.person.name,
            "masked_id": mask_id(r.person.id_number),
            "status": r.status,
            "status_label": STATUS_LABELS[r.status],
            "promised_by": r.promised_by.isoformat() if r.promised_by else None,
            "overdue": is_overdue(r, today),
        }
        for r in query.order_by(Request.id).limit(limit)
    ]
    return Page(rows=rows, total=query.count())
