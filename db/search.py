"""The desk's one search box (first cut: the helper replaces this with stored, indexed keys)."""

from __future__ import annotations

from dataclasses import dataclass

from db.models import Person
from forms.citizen_id import mask_id


@dataclass(frozen=True)
class Hit:
    kind: str  # "person" | "request"
    id_number: str  # full: kept in memory to open the card, never shown
    masked_id: str
    name: str
    detail: str
    ticket: str | None = None


def search(text: str, *, limit: int = 20) -> list[Hit]:
    text = text.strip()
    query = Person.select().where(
        (Person.id_number == text.upper()) | (Person.name.startswith(text))
    )
    return [
        Hit("person", p.id_number, mask_id(p.id_number), p.name, p.household.community)
        for p in query.limit(limit)
    ]
