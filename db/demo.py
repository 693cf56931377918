"""A realistic demo database: households from Ziyang's real towns, valid ID numbers, every
permit state, and a week of requests on every side and in every status.

Built through the same operations the counter uses, so the demo obeys every rule. Town names
are Ziyang's real towns; village and community names are illustrative (红旗社区 and 双星社区
appear in the article). Deterministic for a given "today"; a second run finds the marker and
adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from db import accounts, migrations, permits, requests
from db.clock import clock
from db.connection import data_dir, db, shown_location
from db.models import MODELS, Household, Permit, Person, Request, Setting, Staff
from db.people import add_household, add_person
from db.setup import (
    Desk,
    get_setting,
    init_counter,
    load_desk,
    office_code_for,
    set_setting,
)
from forms.catalogue import Catalogue
from forms.citizen_id import make_citizen_id
from forms.errors import CounterError
from forms.permits import valid_until_for
from forms.workdays import is_working_day

TOWNS = (
    "城关镇", "蒿坪镇", "汉王镇", "焕古镇", "向阳镇", "洞河镇", "洄水镇", "双桥镇", "高桥镇",
    "红椿镇", "高滩镇", "毛坝镇", "瓦庙镇", "麻柳镇", "双安镇", "东木镇", "界岭镇",
)  # fmt: skip
VILLAGES = (
    "金竹村", "双坪村", "联合村", "双河村", "红岩村", "新华村", "桃园村", "柳坪村", "兴隆村",
    "中坝村", "松树村", "大坪村", "东升村", "茶园村", "青山村", "庙坝村",
)  # fmt: skip
HOME = "蒿坪镇双星社区"
COMMUNITIES = (HOME, "蒿坪镇红旗社区", "城关镇新城社区", "汉王镇汉城社区", "洞河镇洞河社区")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高何郭马罗梁宋郑谢韩唐冯董程曹袁邓许沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文储"
MALE = "德明建国志华文军伟强磊勇斌俊杰涛鹏浩宇海波林峰成刚平辉超鑫家兴安福贵全"
FEMALE = "秀英桂兰玉梅丽芳娟敏静霞红艳琴燕萍雪婷慧莉翠凤花珍玲芬美春晓"
RARE_NAMES = ("李䶮", "王𠮷祥")  # rare characters the printouts must handle
STAFF = (("101", "张敏", "officer"), ("102", "刘洋", "officer"), ("201", "陈静", "supervisor"))
# Demo accounts only: `demo` prints these; a real counter's passwords are never in the code.
DEMO_PASSWORDS = {"101": "demo-zm-101", "102": "demo-ly-102", "201": "demo-cj-201"}
DEMO_OFFICER = "101"  # `demo` signs the CLI in as this officer


@dataclass
class _Member:
    relation: str
    sex: str
    age: int


def build_demo(
    *, households: int, catalogue: Catalogue, today: dt.date | None = None
) -> dict[str, Any]:
    """Build the demo once; report what the database holds either way.

    Demo data go only into a database the demo made itself: one with any table of the counter
    but no demo marker is someone's real counter, and is refused before anything is written.
    """
    today = today or dt.date.today()
    built = _demo_marker()
    if built is None:
        if not 10 <= households <= 5000:
            raise CounterError("演示户数应在10至5000之间", "demo households must be 10 to 5000")
        if _counter_tables():
            demo_db = data_dir() / "demo.db"
            raise CounterError(
                f"该数据库不是演示数据库（{shown_location()} 已有窗口数据或设置），演示数据不会写入；"
                f"请用单独的文件，例如默认的 {demo_db}（取消 ZIYANG_DB 或不加 --db 运行 demo）",
                f"{shown_location()} is not a demo database (it holds counter data or settings); "
                f"build the demo in a separate file such as the default {demo_db} "
                "(unset ZIYANG_DB or omit --db)",
            )
        with db.atomic():
            migrations.upgrade(db.obj)
            init_counter(HOME, 1)
            _Builder(catalogue, today, random.Random(1126)).run(households)
            set_setting("demo_built", today.isoformat())
    else:
        migrations.upgrade(db.obj)
    sample = _sample_person(today)
    latest = dt.date.fromisoformat(built) if built else today
    while not is_working_day(latest):
        latest -= dt.timedelta(days=1)
    return {
        "existing": built is not None,
        "households": Household.select().count(),
        "persons": Person.select().count(),
        "permits": Permit.select().count(),
        "requests": Request.select().count(),
        "today": (dt.date.fromisoformat(built) if built else today).isoformat(),
        "community": get_setting("community"),
        "latest_day": latest.isoformat(),
        "sample_id": sample,
    }


def _counter_tables() -> set[str]:
    """The counter's own tables this database already has (none on a fresh file)."""
    ours = {model._meta.table_name for model in MODELS}
    return ours & set(db.obj.get_tables())


def _demo_marker() -> str | None:
    """The day the demo was built, if this database is one the demo made."""
    if Setting._meta.table_name not in set(db.obj.get_tables()):
        return None
    return get_setting("demo_built")


def _sample_person(today: dt.date) -> str:
    """An adult of the home community with a valid permit, for the README's examples."""
    for permit in (
        Permit.select()
        .where(
            (Permit.status == "valid") & (Permit.community == HOME) & (Permit.valid_until >= today)
        )
        .order_by(Permit.id)
    ):
        person = permit.person
        if (
            person.birth_date.year <= today.year - 30
            and permit.residence_since.year < today.year - 1
        ):
            return person.id_number
    return ""


class _Builder:
    def __init__(self, catalogue: Catalogue, today: dt.date, rng: random.Random) -> None:
        self.catalogue = catalogue
        self.today = today
        self.rng = rng
        self.used_ids: set[str] = set()
        self.used_names: set[str] = set()
        self.staff: list[Staff] = []
        # The demo's clock: each step is recorded on the day it is made for (no 补录).
        self.moment = dt.datetime.combine(today, dt.time(8, 0))

    def on(self, day: dt.date, time: dt.time | None = None) -> dt.date:
        """Move the demo's clock to `day` (at `time`, else mid-morning) and return the day."""
        self.moment = dt.datetime.combine(day, time or dt.time(10, 0))
        return day

    def desk(self, community: str, staff: Staff | None = None) -> Desk:
        member = staff or self.rng.choice(self.staff[:2])
        return Desk(
            community=community,
            counter_no=1 + self.staff.index(member) % 2,
            office_code=office_code_for(community),
            staff_id=member.id,
            staff_code=member.code,
            staff_name=member.name,
        )

    def run(self, households: int) -> None:
        with clock(lambda: self.moment):
            self._run(households)

    def _run(self, households: int) -> None:
        # The supervisor is the first account (as `init` makes it); it adds the others.
        code, name, _ = next(member for member in STAFF if member[2] == "supervisor")
        first, _ = accounts.create_first_supervisor(code, name, DEMO_PASSWORDS[code])
        boss = load_desk(first.code, HOME, 1)
        made = {first.code: first}
        for code, name, role in STAFF:
            if code not in made:
                made[code] = accounts.add_staff(
                    boss, code, name, role, password=DEMO_PASSWORDS[code]
                )
        self.staff.extend(made[code] for code, _, _ in STAFF)
        people: list[tuple[Person, str]] = []
        for index in range(households):
            community = HOME if index % 5 < 3 else COMMUNITIES[1 + index % 4]
            people.extend((p, community) for p in self.household(index, community))
        self.permits(people)
        self.week_of_requests([p for p, c in people if c == HOME])

    # ── households and people ──

    def household(self, index: int, community: str) -> list[Person]:
        rng = self.rng
        town = rng.choice(TOWNS)
        if index % 40 == 7:
            moved_in = self.today - dt.timedelta(days=rng.randint(60, 300))  # recent arrivals
        else:
            moved_in = dt.date(2017, 1, 1) + dt.timedelta(days=rng.randint(0, 4 * 365))
        household = add_household(
            origin_village=town + rng.choice(VILLAGES),
            community=community,
            moved_in=moved_in,
            today=self.today,
            site=community,
            grid=f"第{1 + index % 6}网格",
            building=str(1 + index % 12),
            unit=str(1 + index % 3),
            room=f"{1 + index % 6}0{1 + index % 4}",
            phone=f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
            monitored=index % 9 == 0,
            new_community=True,  # the demo founds its five communities
        )
        members = [_Member("户主", rng.choice("男男男女"), rng.randint(28, 82))]
        head = members[0]
        if rng.random() < 0.85:
            members.append(
                _Member(
                    "配偶",
                    "女" if head.sex == "男" else "男",
                    max(20, head.age + rng.randint(-6, 4)),
                )
            )
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            child_age = head.age - rng.randint(22, 34)
            if child_age >= 0:
                sex = rng.choice("男女")
                members.append(_Member("子" if sex == "男" else "女", sex, child_age))
        if head.age < 55 and rng.random() < 0.3:
            members.append(
                _Member(rng.choice(("父亲", "母亲")), "男", head.age + rng.randint(22, 30))
            )
            if members[-1].relation == "母亲":
                members[-1].sex = "女"
        surname = rng.choice(SURNAMES)
        persons = []
        for member in members:
            name = self.name(
                surname if member.relation in ("户主", "子", "女") else None, member.sex, index
            )
            persons.append(
                add_person(
                    household_number=household.number,
                    id_number=self.id_number(member),
                    name=name,
                    relation=member.relation,
                    today=self.today,
                    ethnicity="汉" if self.rng.random() < 0.97 else "土家",
                )
            )
        return persons

    def name(self, surname: str | None, sex: str, index: int) -> str:
        if index in (3, 11) and RARE_NAMES[index % 2] not in self.used_names:
            self.used_names.add(RARE_NAMES[index % 2])
            return RARE_NAMES[index % 2]
        pool = MALE if sex == "男" else FEMALE
        for _ in range(50):
            given = self.rng.choice(pool) + (
                self.rng.choice(pool) if self.rng.random() < 0.8 else ""
            )
            name = (surname or self.rng.choice(SURNAMES)) + given
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        return name

    def id_number(self, member: _Member) -> str:
        region = (
            "610924"
            if self.rng.random() < 0.93
            else self.rng.choice(("610921", "610922", "610929"))
        )
        while True:
            birth = self.today - dt.timedelta(days=member.age * 365 + self.rng.randint(1, 360))
            serial = self.rng.randint(0, 499) * 2 + (1 if member.sex == "男" else 0)
            number = make_citizen_id(region, birth, serial)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    # ── permits in every state ──

    def permits(self, people: list[tuple[Person, str]]) -> None:
        rng, today = self.rng, self.today
        for i, (person, community) in enumerate(people):
            kind = i % 20
            if kind == 0:
                continue  # no permit yet
            moved_in = person.household.moved_in
            if kind in (1, 2):  # lapsed: issued over a year ago, never endorsed
                issued = today - dt.timedelta(days=rng.randint(380, 500))
            elif kind in (3, 4):  # endorsed on time
                issued = today - dt.timedelta(days=rng.randint(370, 700))
            elif kind == 5:  # endorsed late: residence counts again from the endorsement
                issued = today - dt.timedelta(days=rng.randint(420, 600))
            elif kind == 6:  # due for endorsement within the month
                issued = today - dt.timedelta(days=365 - rng.randint(3, 25))
            else:
                issued = today - dt.timedelta(days=rng.randint(10, 330))
            issued = max(issued, moved_in, person.birth_date)
            if issued > today:
                continue
            desk = self.desk(community)
            id_number = person.id_number
            permits.issue_permit(
                id_number=id_number, catalogue=self.catalogue, desk=desk, today=self.on(issued)
            )
            if kind in (3, 4):
                endorse_on = valid_until_for(issued) - dt.timedelta(days=rng.randint(1, 25))
                if endorse_on <= today:
                    permits.endorse_permit(
                        id_number=id_number,
                        catalogue=self.catalogue,
                        desk=desk,
                        today=self.on(endorse_on),
                    )
            elif kind == 5:
                late = valid_until_for(issued) + dt.timedelta(days=rng.randint(20, 40))
                if late <= today:
                    permits.endorse_permit(
                        id_number=id_number,
                        catalogue=self.catalogue,
                        desk=desk,
                        today=self.on(late),
                    )
            if kind == 7 and i % 3 == 0:
                permits.replace_permit(
                    id_number=id_number,
                    reason=rng.choice(("lost", "damaged")),
                    catalogue=self.catalogue,
                    desk=desk,
                    today=self.on(min(today, issued + dt.timedelta(days=rng.randint(5, 60)))),
                )
            if kind == 8 and i % 3 == 0:
                permits.revoke_permit(  # revoking is the supervisor's
                    id_number=id_number,
                    reason="户籍迁回原籍，不再在本社区居住",
                    desk=self.desk(community, self.staff[2]),
                    today=self.on(min(today, issued + dt.timedelta(days=rng.randint(5, 60)))),
                )

    # ── a week of requests, and a few old ones left open (overdue) ──

    def week_of_requests(self, people: list[Person]) -> None:
        rng, today = self.rng, self.today
        services = [s for s in self.catalogue.services if not s.permit_action]
        days = [today - dt.timedelta(days=n) for n in range(35, -1, -1)]
        days = [d for d in days if is_working_day(d)]
        week = days[-6:]
        old = days[:3]
        for day in [*old, *week]:
            count = 4 if day in old else rng.randint(25, 45)
            for n in range(count):
                minutes = 8 * 60 + 30 + n * (480 // (count + 1)) + rng.randint(0, 5)
                self.on(day, dt.time(minutes // 60, minutes % 60, rng.randint(0, 59)))
                person = rng.choice(people)
                if person.birth_date >= day:
                    continue
                service = rng.choice(services)
                provided = self.documents(service, day, person)
                desk = self.desk(HOME)
                try:
                    request = requests.open_request(
                        id_number=person.id_number,
                        service=service.code,
                        catalogue=self.catalogue,
                        desk=desk,
                        today=day,
                        provided=provided,
                    )
                except requests.OpenRequestExists:
                    continue  # a counter does not open the same service twice
                if day not in old:
                    self.follow_up(request, day, desk)

    def documents(self, service: Any, day: dt.date, person: Person) -> list[str]:
        roll = self.rng.random()
        if roll < 0.7:
            return ["all"]
        names = [d.name for d in service.documents]
        return self.rng.sample(names, k=self.rng.randint(0, max(0, len(names) - 1)))

    def follow_up(self, request: Request, day: dt.date, desk: Desk) -> None:
        """Move some requests on: supplement, forward, return, complete, refuse."""
        rng, today = self.rng, self.today
        later = min(today, day + dt.timedelta(days=rng.randint(0, 3)))
        if later > day:
            self.on(later, dt.time(15, 0))
        roll = rng.random()
        ticket = request.ticket
        if request.status == "pending_materials" and roll < 0.5:
            requests.supplement(ticket, ["all"], desk, later, "群众补交")
        elif (
            request.status == "accepted" and request.decision == "forward_department" and roll < 0.7
        ):
            requests.forward(ticket, desk, later)
            if roll < 0.15:
                requests.return_request(
                    ticket,
                    desk,
                    self.on(min(today, later + dt.timedelta(days=1)), dt.time(16, 0)),
                    "部门要求补充家庭经济状况说明",
                )
            elif roll < 0.4:
                requests.complete(
                    ticket,
                    desk,
                    self.on(min(today, later + dt.timedelta(days=2)), dt.time(16, 0)),
                    "部门审批通过",
                )
        elif request.status == "accepted" and roll < 0.65:
            requests.complete(ticket, desk, later, "已办结")
        elif request.status == "accepted" and roll < 0.7:
            requests.refuse(ticket, desk, later, "经核实不符合条件；可咨询就业培训等其他事项")
        elif request.status == "referred" and roll < 0.4:
            requests.complete(ticket, desk, later, "迁出村回执已收回")
