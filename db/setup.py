"""Initialising a counter, its settings and staff, and the serial numbers it hands out."""

from __future__ import annotations

import datetime as dt
import difflib
import unicodedata
import weakref
from dataclasses import dataclass

import peewee

from db import migrations, receipt_keys
from db.clock import now
from db.connection import db, shown_location
from db.models import (
    Household,
    Permit,
    Place,
    ReceiptIssue,
    Request,
    Sequence,
    Setting,
    Staff,
)
from forms import dates
from forms.errors import CounterError
from forms.people import check_phone, check_place, town_of
from forms.text import field as text_field

DEFAULT_COMMUNITY = "城关镇新城社区"


@dataclass(frozen=True)
class Desk:
    """Who is at which counter: passed to every operation that writes."""

    community: str
    counter_no: int
    office_code: str
    staff_id: int
    staff_code: str
    staff_name: str

    @property
    def counter_code(self) -> str:
        return f"{self.office_code}{self.counter_no:02d}"

    @property
    def counter_label(self) -> str:
        return counter_label(self.community, self.counter_no)


def counter_label(community: str, number: int) -> str:
    """How a counter is named on screen and paper: 蒿坪镇双星社区服务大厅1号窗口."""
    return f"{community}服务大厅{number}号窗口"


def office_code_for(community: str) -> str:
    """Pinyin initials of the community's own name: 蒿坪镇双星社区 -> SXSQ (at most 8 letters)."""
    for marker in ("街道", "镇", "乡"):
        _, found, rest = community.rpartition(marker)
        if found and rest:
            community = rest
            break
    from pypinyin import Style, lazy_pinyin  # 0.3 s and 60 MB: only when a code is made

    letters = "".join(lazy_pinyin(community, style=Style.FIRST_LETTER)).upper()
    letters = "".join(ch for ch in letters if ch.isalpha() and ch.isascii())
    return (letters or "ZY")[:8]


def get_setting(key: str, default: str | None = None) -> str | None:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row else default


def set_setting(key: str, value: str) -> None:
    Setting.insert(key=key, value=value).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: value}
    ).execute()


def init_counter(
    community: str | None = None,
    counter_no: int | None = None,
    office_code: str | None = None,
    phone: str | None = None,
    *,
    reconfigure: bool = False,
) -> dict[str, object]:
    """Create or upgrade the schema and record this counter's settings. Safe to repeat.

    Values not given keep what is stored; on a new database they get sensible defaults. The
    stored community, counter and office code are the default of every machine that does not
    name itself, so changing them on an initialised database needs `reconfigure`.
    """
    database = db.obj
    # The hall's receipt key lives in a file on this machine, never in the database (m0005
    # moves an old database's secret there before anything else).
    key_ring, key_created = receipt_keys.ensure()
    applied = migrations.upgrade(database)
    # Receipts signed with keys this machine lacks: the hall's counters should share one file.
    signed_with = ReceiptIssue.select(ReceiptIssue.key_id).distinct().scalars()
    missing_keys = sorted({str(k) for k in signed_with} - set(receipt_keys.load().keys))
    with db.atomic():
        stored_community = get_setting("community")
        new_community = check_place(community, "社区名称", "community") if community else None
        final_community = new_community or stored_community or DEFAULT_COMMUNITY
        if counter_no is not None and not 1 <= counter_no <= 99:
            raise CounterError("窗口号应在1至99之间", "counter number must be between 1 and 99")
        stored_counter = get_setting("counter_no")
        final_counter = counter_no or int(stored_counter or 1)
        if office_code:
            code = office_code.strip().upper()
            if not (code.isascii() and code.isalnum() and 1 <= len(code) <= 8):
                raise CounterError(
                    "机构代码应为1至8位字母或数字", "office code must be 1 to 8 letters or digits"
                )
        elif new_community and new_community != stored_community:
            code = office_code_for(new_community)
        else:
            code = get_setting("office_code") or office_code_for(final_community)
        if stored_community is not None and not reconfigure:
            _refuse_silent_reconfigure(
                stored_community,
                int(stored_counter or 1),
                get_setting("office_code") or office_code_for(stored_community),
                final_community,
                final_counter,
                code,
            )
        set_setting("community", final_community)
        set_setting("counter_no", str(final_counter))
        set_setting("office_code", code)
        add_place(final_community)
        if phone is not None:
            set_setting("phone", check_phone(phone))
    return {
        "community": final_community,
        "counter": f"{code}{final_counter:02d}",  # the counter code, as in every JSON shape
        "counter_no": final_counter,
        "office_code": code,
        "phone": get_setting("phone") or "",
        "schema": applied or ["(up to date)"],
        "receipt_key_file": str(key_ring.path),
        "receipt_key_created": key_created,
        "receipt_keys_missing": missing_keys,
    }


def _refuse_silent_reconfigure(
    community: str, counter: int, office: str, new_community: str, new_counter: int, new_office: str
) -> None:
    """Changing the stored default moves every machine without its own settings: say so."""
    changes_zh, changes_en = [], []
    if new_community != community:
        changes_zh.append(f"社区 {community}→{new_community}")
        changes_en.append(f"community {community} -> {new_community}")
    if new_counter != counter:
        changes_zh.append(f"窗口号 {counter}→{new_counter}")
        changes_en.append(f"counter {counter} -> {new_counter}")
    if new_office != office:
        changes_zh.append(f"受理编号前缀 {office}→{new_office}")
        changes_en.append(f"office code {office} -> {new_office}")
    if not changes_zh:
        return
    raise CounterError(
        f"本数据库已初始化为{counter_label(community, counter)}，未更改（{'，'.join(changes_zh)}）："
        "这是所有未设置 ZIYANG_COMMUNITY/ZIYANG_COUNTER 的窗口机共用的默认值，改动会让它们的"
        "受理编号换系列、列表里看不到原办件。本机请改设 ZIYANG_COMMUNITY/ZIYANG_COUNTER"
        "（或 --desk-community/--desk-counter）；确需更改共用默认值请加 --reconfigure",
        f"this database is already set up ({'; '.join(changes_en)} refused): the stored "
        "community and counter are the default of every counter machine without its own "
        "ZIYANG_COMMUNITY/ZIYANG_COUNTER; set those on this machine instead, or add "
        "--reconfigure to change the shared default",
    )


_READY: weakref.WeakSet[peewee.Database] = weakref.WeakSet()


def ensure_ready() -> None:
    """Refuse to work on a database that was never initialised or needs an upgrade.

    Checked once per opened database: a schema never goes back, so every later operation
    skips the three queries.
    """
    database = db.obj
    if database in _READY:
        return
    if migrations.pending(database) or get_setting("community") is None:
        where = shown_location(database)
        raise CounterError(
            f"数据库尚未初始化或需要升级（{where}），请先运行：ziyang-counter init",
            f"the database {where} is not initialised or needs an upgrade: "
            "run 'ziyang-counter init'",
        )
    _READY.add(database)


def load_desk(
    staff_code: str | None = None,
    community: str | None = None,
    counter_no: int | None = None,
) -> Desk:
    """This counter with a named staff member (or the first active one): for tests, the demo
    and tools. It proves nothing about who is there: the CLI and the desk build their Desk
    from a signed-in session (db.accounts), and supervisor-only operations check the role.
    """
    ensure_ready()
    place = counter_place(community, counter_no)
    if staff_code:
        staff = Staff.get_or_none((Staff.code == staff_code) & (Staff.active == True))  # noqa: E712
        if staff is None:
            raise CounterError(
                f"工作人员编号“{staff_code}”不存在或已停用",
                f"staff code '{staff_code}' does not exist or is inactive",
            )
    else:
        staff = Staff.select().where(Staff.active == True).order_by(Staff.id).first()  # noqa: E712
        if staff is None:
            raise CounterError(
                "本数据库还没有工作人员账号，请先运行：ziyang-counter init --supervisor 工号 "
                "--supervisor-name 姓名",
                "this database has no staff accounts yet: run "
                "'ziyang-counter init --supervisor CODE --supervisor-name NAME'",
            )
    return desk_for(staff, place)


def counter_place(
    community: str | None = None, counter_no: int | None = None
) -> tuple[str, int, str]:
    """(community, counter number, office code): the stored defaults, or the machine's own.

    On a database shared by a hall or a county, each counter machine names itself (the CLI's
    ZIYANG_COMMUNITY / ZIYANG_COUNTER); the stored settings are only the single-counter default.
    """
    ensure_ready()
    if counter_no is not None and not 1 <= counter_no <= 99:
        raise CounterError("窗口号应在1至99之间", "counter number must be between 1 and 99")
    if community is not None:
        community = check_place(community, "本窗口社区", "counter community")
        check_known_community(community, "本窗口社区", "counter community")
    stored = get_setting("community") or DEFAULT_COMMUNITY
    if community and community != stored:
        office_code = office_code_for(community)
    else:
        office_code = get_setting("office_code") or office_code_for(stored)
    return (
        community or stored,
        counter_no or int(get_setting("counter_no", "1") or 1),
        office_code,
    )


def desk_for(staff: Staff, place: tuple[str, int, str]) -> Desk:
    community, counter_no, office_code = place
    return Desk(
        community=community,
        counter_no=counter_no,
        office_code=office_code,
        staff_id=staff.id,
        staff_code=staff.code,
        staff_name=staff.name,
    )


STAFF_CODE_MAX = 16


def check_staff_code(raw: str | None) -> str:
    """A staff code: 1-16 ASCII letters or digits after NFKC (full-width digits welcome)."""
    code = unicodedata.normalize("NFKC", raw or "").strip()
    if not (code.isascii() and code.isalnum() and 1 <= len(code) <= STAFF_CODE_MAX):
        shown = code.encode("unicode_escape").decode("ascii") if not code.isprintable() else code
        raise CounterError(
            f"工作人员编号应为1至{STAFF_CODE_MAX}位字母或数字：“{shown}”",
            f"a staff code is 1 to {STAFF_CODE_MAX} letters or digits, got '{shown}'",
        )
    return code


def add_place(community: str, site: str = "") -> bool:
    """Put a community (or one of its sites) on the county list; False if it was there."""
    site = "" if site == community else site
    key = (Place.community == community) & (Place.site == site)
    if Place.select().where(key).exists():
        return False
    Place.insert(
        town=town_of(community), community=community, site=site
    ).on_conflict_ignore().execute()
    return True


def add_places(places: list[tuple[str, str]]) -> int:
    """Put many (community, site) pairs on the list in one statement; return how many were new."""
    have = set(Place.select(Place.community, Place.site).tuples())
    rows = [
        {"town": town_of(c), "community": c, "site": "" if s == c else s}
        for c, s in dict.fromkeys(places)
        if (c, "" if s == c else s) not in have
    ]
    for start in range(0, len(rows), 500):
        Place.insert_many(rows[start : start + 500]).on_conflict_ignore().execute()
    return len(rows)


def list_places() -> list[dict[str, str]]:
    """The county list, by town, community and site (a community's own row has site "")."""
    ensure_ready()
    query = Place.select(Place.town, Place.community, Place.site).order_by(
        Place.town, Place.community, Place.site
    )
    return [{"town": p.town, "community": p.community, "site": p.site} for p in query]


def add_place_by(desk: Desk, community: str, site: str = "") -> dict[str, object]:
    """A supervisor puts a community (and a site of it) on the county list."""
    from db.accounts import require_supervisor

    ensure_ready()
    require_supervisor(desk, "修改社区与安置点名单", "change the list of communities and sites")
    name = check_place(community, "社区名称", "community")
    where = text_field(site, "site") if site else ""
    with db.atomic():
        added = add_place(name)
        added_site = add_place(name, where) if where else False
    return {"town": town_of(name), "community": name, "site": where, "added": added or added_site}


def known_communities() -> list[str]:
    """Every community this database knows: the county list (table place), the stored
    default and any community a household, permit or request names."""
    names: set[str] = set()
    stored = get_setting("community")
    if stored:
        names.add(stored)
    names.update(str(name) for name in Place.select(Place.community).distinct().scalars())
    for query in (
        Household.select(Household.community),
        Permit.select(Permit.community),
        Request.select(Request.community),
    ):
        names.update(str(name) for name in query.distinct().scalars())
    return sorted(names)


def check_known_community(community: str, zh: str = "社区", en: str = "community") -> str:
    """Refuse a community no record names (a typo would open tickets no one lists, or refuse
    residents of the real community), suggesting the nearest known names."""
    if community == get_setting("community") or any(
        model.select().where(model.community == community).exists()
        for model in (Place, Household, Permit, Request)
    ):
        return community  # one indexed look-up each; the full list only to suggest names
    known = known_communities()
    near = difflib.get_close_matches(community, known, n=3, cutoff=0.4)
    hint_zh = f"，是否为：{'、'.join(near)}" if near else ""
    hint_en = f"; did you mean: {', '.join(near)}" if near else ""
    raise CounterError(
        f"{zh}“{community}”不在本数据库已知社区中{hint_zh}",
        f"{en} '{community}' is not a community this database knows{hint_en}",
    )


def backdate_window() -> int:
    """How many days back an entry may be dated (settings key `backdate_days`)."""
    return dates.backdate_days(get_setting("backdate_days"))


def set_backdate_window(days: int, desk: Desk) -> int:
    """A supervisor widens or narrows the back-dating window; officers may not."""
    from db.accounts import require_supervisor

    ensure_ready()
    require_supervisor(desk, "修改补录期限", "change the back-dating window")
    value = dates.backdate_days(str(days))
    set_setting("backdate_days", str(value))
    return value


def next_serial(name: str, year: int) -> int:
    """The next number in a series, gap-free: call inside the transaction that uses it.

    The row is incremented with UPDATE ... RETURNING, so concurrent counters on PostgreSQL
    queue on the row lock and a rolled-back transaction gives its number back.
    """
    query = (
        Sequence.update(value=Sequence.value + 1)
        .where((Sequence.name == name) & (Sequence.year == year))
        .returning(Sequence.value)
    )
    row = next(iter(query.execute()), None)
    if row is not None:
        return int(row.value)
    try:
        with db.atomic():
            Sequence.create(name=name, year=year, value=1)
        return 1
    except peewee.IntegrityError:
        # Another counter created the series first: take the next number from it.
        return next_serial(name, year)


def reserve_serials(name: str, year: int, count: int) -> int:
    """Reserve `count` numbers of a series at once (a batch of an import): one UPDATE ...
    RETURNING moves the series on by `count`; returns the first number of the block. Call
    inside the transaction that uses them, as `next_serial`."""
    if count <= 0:
        raise ValueError("count must be positive")
    query = (
        Sequence.update(value=Sequence.value + count)
        .where((Sequence.name == name) & (Sequence.year == year))
        .returning(Sequence.value)
    )
    row = next(iter(query.execute()), None)
    if row is not None:
        return int(row.value) - count + 1
    try:
        with db.atomic():
            Sequence.create(name=name, year=year, value=count)
        return 1
    except peewee.IntegrityError:
        return reserve_serials(name, year, count)


def stamp(today: dt.date | None = None) -> dt.datetime:
    """The time a step is recorded at: the clock's (db/clock.py), whatever day it is entered
    for. The business day is stored next to it (`on`, `opened_on`); `today` is accepted and
    ignored so older callers keep working."""
    return now()
