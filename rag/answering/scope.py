"""Which articles a question may be answered from: a date range and a set of sources.

"What did the minister say last week?" is a question about a slice of the collection.
The slice is a metadata filter handed to the vector store (Chroma's `where`) and used to
restrict the keyword index before it ranks, never a filter on the top-k after
retrieval: a post-filter would return nothing whenever the k best passages all lie
outside the range, even though passages inside it exist.

Articles without a date (or a source) are outside any date (or source) filter: their
date is unknown, so including them would be a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..errors import InvalidQuestionError
from ..indexing.chunking import day_number

MAX_LISTED_DAYS = 366  # a closed range up to a year is filtered as a list of days (see Scope.days)


def _iso(value: object, name: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise InvalidQuestionError(f"{name} must be a date as YYYY-MM-DD, not {value!r}.") from None


@dataclass(frozen=True)
class Scope:
    since: str = ""  # YYYY-MM-DD, inclusive, or "" for no lower bound
    until: str = ""  # YYYY-MM-DD, inclusive, or "" for no upper bound
    sources: tuple[str, ...] = ()  # publishers as stored (e.g. "Reuters"); () for all

    @classmethod
    def of(cls, since: object = None, until: object = None, sources: Iterable[str] | str | None = None) -> Scope:
        """A checked scope: dates as `date`, `datetime` or 'YYYY-MM-DD'; a clear error otherwise."""
        lo, hi = _iso(since, "since"), _iso(until, "until")
        if lo and hi and lo > hi:
            raise InvalidQuestionError(f"since ({lo}) is after until ({hi}): no article can match.")
        if isinstance(sources, str):
            sources = [sources]
        names = tuple(dict.fromkeys(s.strip() for s in (sources or ()) if s and s.strip()))
        return cls(lo, hi, names)

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.sources)

    def where(self) -> dict | None:
        """The Chroma metadata filter for this scope, or None for the whole collection."""
        clauses: list[dict] = []
        days = self.days()
        if days is not None:
            clauses.append({"day": {"$in": days}})
        else:
            if self.since:
                clauses.append({"day": {"$gte": day_number(self.since)}})
            if self.until:
                clauses.append({"day": {"$lte": day_number(self.until)}})
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def days(self) -> list[int] | None:
        """Every day of a closed range of at most MAX_LISTED_DAYS, as day numbers; else None.

        Chroma (1.5.9, local and server) filters a month as a list of 31 days in 48 ms at
        100,000 passages, and as `$gte`/`$lte` in 0.4-0.7 s (docs/performance.md).
        """
        if not (self.since and self.until):
            return None
        first, last = date.fromisoformat(self.since), date.fromisoformat(self.until)
        if (last - first).days >= MAX_LISTED_DAYS:
            return None
        return [day_number((first + timedelta(days=i)).isoformat()) for i in range((last - first).days + 1)]

    def describe(self) -> str:
        """For messages: 'from 2026-11-01 to 2026-11-20, in Reuters, BBC'."""
        parts = []
        if self.since:
            parts.append(f"from {self.since}")
        if self.until:
            parts.append(f"until {self.until}")
        if self.sources:
            parts.append("in " + ", ".join(self.sources))
        return " ".join(parts)


EVERYTHING = Scope()
