"""What every screen of the desk shares: the database, the catalogue, who is signed in, the clock.

The desk holds no rule of its own: screens call `db/` operations through `DeskContext.call`, which
runs them with the desk's clock (the same ContextVar the CLI and the tests use) and its open
database, on whichever thread the call happens to run (Textual's thread workers included).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import peewee

    from db.setup import Desk
    from forms.catalogue import Catalogue

T = TypeVar("T")


@dataclass
class DeskContext:
    """One counter's session. `desk` is None until someone signs in (and after sign-out).

    `database` is the open database, or None until `opener` has opened it: the desk started
    from the command line draws its sign-in screen first and opens the database just after.
    """

    database: peewee.Database | None
    catalogue_path: str | None = None
    community: str | None = None  # this machine's community (ZIYANG_COMMUNITY), else stored
    counter_no: int | None = None  # this machine's counter number (ZIYANG_COUNTER)
    clock: Callable[[], dt.datetime] | None = None  # None = the wall clock
    desk: Desk | None = None
    token: str | None = None
    opener: Callable[[], peewee.Database] | None = field(default=None, repr=False)
    _catalogue: Catalogue | None = field(default=None, repr=False)

    # ───────────────────────── time ─────────────────────────
    def now(self) -> dt.datetime:
        return (self.clock() if self.clock is not None else dt.datetime.now()).replace(
            microsecond=0
        )

    def today(self) -> dt.date:
        return self.now().date()

    # ───────────────────────── database ─────────────────────────
    def connected(self) -> peewee.Database:
        """The database, opened by `opener` on first use (its errors are CounterErrors)."""
        if self.database is None:
            if self.opener is None:
                raise RuntimeError("DeskContext has neither a database nor an opener")
            self.database = self.opener()
        return self.database

    def call(self, operation: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run one `db/` operation with the desk's clock, on this thread's connection."""
        from db.clock import clock
        from db.connection import db

        database = self.connected()
        if db.obj is not database:  # another app in this process (tests) bound it last
            db.initialize(database)
        with clock(self.now):
            if database.is_closed():
                database.connect(reuse_if_open=True)
            return operation(*args, **kwargs)

    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            from forms.catalogue import load_catalogue

            self._catalogue = load_catalogue(self.catalogue_path)
        return self._catalogue

    def reload_catalogue(self) -> Catalogue:
        """Read the catalogue file again; a file with errors raises and the old one stays."""
        from forms.catalogue import load_catalogue

        fresh = load_catalogue(self.catalogue_path)
        self._catalogue = fresh
        return fresh

    # ───────────────────────── who ─────────────────────────
    @property
    def signed_in(self) -> bool:
        return self.desk is not None

    def require_desk(self) -> Desk:
        from forms.errors import CounterError

        if self.desk is None:
            raise CounterError("请先登录", "not signed in")
        return self.desk

    def is_supervisor(self) -> bool:
        """Read fresh from the database each time: a role taken away applies at once."""
        if self.desk is None:
            return False
        from db.accounts import require_supervisor
        from forms.errors import CounterError

        try:
            self.call(require_supervisor, self.desk)
        except CounterError:
            return False
        return True

    def sign_in(self, code: str, password: str, counter_no: int | None = None) -> Desk:
        from db.accounts import sign_in

        desk, token = self.call(
            sign_in,
            code,
            password,
            community=self.community,
            counter_no=counter_no or self.counter_no,
            client="desk",
            now=self.now(),
        )
        self.desk, self.token = desk, token
        if counter_no:
            self.counter_no = counter_no
        return desk

    def resume(self) -> Desk:
        """Keep the session alive (and notice one ended elsewhere or disabled)."""
        from db.accounts import resume

        desk = self.call(resume, self.token, community=self.community, counter_no=self.counter_no)
        self.desk = desk
        return desk

    def sign_out(self) -> None:
        from db.accounts import sign_out

        if self.token:
            self.call(sign_out, self.token)
        self.desk, self.token = None, None
