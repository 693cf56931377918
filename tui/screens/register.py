"""Register a household and its people (F5), or add a person to an existing household.

First the household (origin village, community, site, grid, building, unit, room, moved-in
date, phone); once saved the screen stays to add its members, the head first, listing those
added. The ID is checked as it is typed (tui/widgets/id_input.py) and sex and birth date are
read from it. Writes go only through db/people.add_household and db/people.add_person; a
refusal appears under the field at fault (else in the error line) and nothing typed is lost.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.suggester import SuggestFromList
from textual.widgets import DataTable, Input, Label, Static

from forms.errors import CounterError
from forms.people import RELATION_ALIASES, RELATION_CODES, relation_code_of
from tui.screens.base import DeskScreen, plain_error
from tui.widgets.id_input import IdInput
from tui.widgets.keybar import KeyBar
from tui.widgets.tables import fill_table

# (key, label, placeholder) of the household form, in the order Enter walks through them.
HOUSEHOLD_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("origin_village", "迁出村", "如 蒿坪镇金星村"),
    ("community", "迁入社区", ""),
    ("site", "安置点", "空则同迁入社区"),
    ("grid", "网格", "如 第3网格"),
    ("building", "楼栋", "如 5"),
    ("unit", "单元", "如 2"),
    ("room", "房号", "如 301"),
    ("moved_in", "入住日期", "YYYY-MM-DD，如 2019-06-18"),
    ("phone", "联系电话", "11位手机号或带区号的固定电话"),
)
PERSON_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("name", "姓名", "2至20个汉字，少数民族姓名可含·"),
    ("id_number", "身份证号", ""),
    ("relation", "与户主关系", "如 户主、配偶、长子"),
    ("ethnicity", "民族", "汉族"),
    ("phone", "联系电话", "可空"),
)
# Which field a refusal is about: the Chinese field names the checks put in their messages,
# tried in this order (the first field named wins).
HOUSEHOLD_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("origin_village", ("迁出村",)),
    ("community", ("迁入社区",)),
    ("site", ("安置点",)),
    ("grid", ("网格",)),
    ("building", ("楼栋",)),
    ("unit", ("单元",)),
    ("room", ("房号",)),
    ("moved_in", ("入住日期",)),
    ("phone", ("电话",)),
)
PERSON_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("id_number", ("身份证",)),
    ("name", ("姓名",)),
    ("relation", ("户主", "关系")),
    ("ethnicity", ("民族",)),
    ("phone", ("电话",)),
)
RELATION_WORDS = list(dict.fromkeys([*RELATION_CODES.values(), *RELATION_ALIASES]))


def field_at_fault(message: str, markers: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    """The form field a refusal names, or None (then it goes to the screen's error line)."""
    for key, words in markers:
        if any(word in message for word in words):
            return key
    return None


class RegisterScreen(DeskScreen):
    CSS_PATH = "register.tcss"
    BINDING_GROUP_TITLE = "登记"
    HELP = (
        "登记搬迁户和家庭成员。先填搬迁户（迁出村、迁入社区默认本窗口社区、安置点、网格、楼栋、"
        "单元、房号、入住日期 YYYY-MM-DD、联系电话），F9 或 Alt+W 保存；然后逐个登记家庭成员，"
        "先登记户主：身份证号边输入边核验，问题显示在号码下方，性别和出生日期从号码自动读出；"
        "与户主关系按户口簿写（GB/T 4761：户主、配偶、长子、次女、儿媳、孙子、父亲、弟……）。"
        "Enter 到下一项，最后一项按 Enter 也会保存。全部登记后按 Alt+O 完成，打开户主的人员信息。"
        "出错时原因显示在出错的项目下，已填内容保留。从人员信息页按 Alt+A 可为已有搬迁户添加成员。"
    )
    BINDINGS: ClassVar = [
        Binding("f9", "save", "保存", id="register.save"),
        # Alt+letter keys take priority: a focused Input would otherwise type the letter.
        Binding("alt+w", "save", "保存", show=False, id="register.save.alt", priority=True),
        Binding("alt+o", "finish", "完成", id="register.finish", priority=True),
        Binding("escape", "back", "返回", show=False, id="register.back"),
    ]

    def __init__(self, household_number: str | None = None) -> None:
        super().__init__()
        self.household_number = household_number.strip().upper() if household_number else None
        self.household: dict[str, Any] | None = None
        self._community = ""

    # ───────────────────────── layout ─────────────────────────
    def compose(self) -> ComposeResult:
        yield Static("", id="topbar", classes="topbar")
        with Vertical(id="household-form", classes="box form"):
            for key, label, placeholder in HOUSEHOLD_FIELDS:
                with Horizontal(classes="row"):
                    yield Label(label, classes="label")
                    yield Input(placeholder=placeholder, id=f"hh-{key}", classes="field")
                yield Static("", id=f"hh-{key}-error", classes="error field-error")
        yield Static("", id="household-summary")
        with Vertical(id="member-form", classes="box form"):
            for key, label, placeholder in PERSON_FIELDS:
                if key == "id_number":
                    yield IdInput(today=self.ctx.today, id="p-id_number")
                    with Horizontal(classes="row"):
                        yield Label("性别/出生", classes="label")
                        yield Static("", id="p-facts")
                else:
                    with Horizontal(classes="row"):
                        yield Label(label, classes="label")
                        yield Input(placeholder=placeholder, id=f"p-{key}", classes="field")
                        if key == "relation":
                            yield Static("", id="p-relation-hint")
                yield Static("", id=f"p-{key}-error", classes="error field-error")
        with Vertical(id="members-box", classes="box"):
            yield DataTable(id="members", cursor_type="row", zebra_stripes=True)
        yield Static("", id="error", classes="error")
        yield Static("", id="keys-hint", classes="hint")
        yield KeyBar()

    def on_mount(self) -> None:
        from db.setup import known_communities

        desk = self.ctx.desk
        self._community = desk.community if desk is not None else ""
        self.query_one("#household-form").border_title = "登记搬迁户"
        community = self.query_one("#hh-community", Input)
        community.value = self._community
        communities = self.call(known_communities) or []
        community.suggester = SuggestFromList(communities)
        self.query_one("#p-relation", Input).suggester = SuggestFromList(RELATION_WORDS)
        self.query_one("#p-ethnicity", Input).value = "汉族"
        self.show_facts(None)
        if self.household_number:
            self.load_household(self.household_number)
        else:
            self.show_phase()
            self.query_one("#hh-origin_village", Input).focus()

    def show_phase(self) -> None:
        """Household form until the household is saved; then its summary, members and form."""
        saved = self.household is not None
        self.refresh_bindings()
        self.query_one("#household-form").display = not saved
        for widget in ("#household-summary", "#member-form", "#members-box"):
            self.query_one(widget).display = saved
        if not saved:
            self.query_one("#topbar", Static).update("登记搬迁户 · 第1步：户的信息")
            self.query_one("#keys-hint", Static).update(
                "Enter 下一项  F9/Alt+W 保存搬迁户  Esc 返回  F1 帮助"
            )
            return
        hh = self.household
        assert hh is not None
        self.query_one("#topbar", Static).update(f"登记家庭成员 · 搬迁户 {hh['number']}")
        self.query_one("#household-summary", Static).update(
            f"迁出村 {hh['origin_village']} → {hh['address']} · {hh['moved_in']}入住"
            + (f" · {hh['grid']}" if hh["grid"] else "")
        )
        self.query_one("#keys-hint", Static).update(
            "Enter 下一项  F9/Alt+W 保存成员  Alt+O 完成  Esc 返回  F1 帮助"
        )
        self.show_members()

    def show_members(self) -> None:
        hh = self.household
        assert hh is not None
        fill_table(
            self.query_one("#members", DataTable),
            ("与户主关系", "姓名", "性别", "出生日期", "身份证号"),
            [
                (m["relation"], m["name"], m["sex"], m["birth_date"], m["id_number"])
                for m in hh["members"]
            ],
        )
        box = self.query_one("#members-box")
        box.border_title = f"本户成员 {len(hh['members'])}人"
        form = self.query_one("#member-form")
        if hh["has_head"]:
            form.border_title = "登记家庭成员"
        else:
            form.border_title = "登记家庭成员 · 本户尚无户主，请先登记户主"

    def load_household(self, number: str) -> bool:
        from db.person_card import household_members

        view = self.call(household_members, number, self.ctx.today())
        if view is None:
            self.show_phase()
            return False
        self.household = view
        self.household_number = view["number"]
        self.show_phase()
        self.reset_person_form()
        return True

    # ───────────────────────── moving through the form ─────────────────────────
    def inputs_in_order(self) -> list[Input]:
        if self.household is None:
            return [self.query_one(f"#hh-{key}", Input) for key, _, _ in HOUSEHOLD_FIELDS]
        found = []
        for key, _, _ in PERSON_FIELDS:
            if key == "id_number":
                found.append(self.query_one("#p-id_number", IdInput).input)
            else:
                found.append(self.query_one(f"#p-{key}", Input))
        return found

    def advance(self, current: Input) -> None:
        """Enter: the next field, or save after the last one."""
        order = self.inputs_in_order()
        if current not in order:
            return
        index = order.index(current)
        if index + 1 < len(order):
            order[index + 1].focus()
        else:
            self.action_save()

    @on(Input.Submitted, ".field")
    def field_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.advance(event.input)

    @on(IdInput.Submitted)
    def id_done(self, event: IdInput.Submitted) -> None:
        event.stop()
        self.advance(event.id_input.input)

    @on(Input.Changed, ".field")
    def field_changed(self, event: Input.Changed) -> None:
        """A field typed into again: its old refusal no longer applies."""
        if event.input.id:
            self.clear_error(f"#{event.input.id}-error")
        if event.input.id == "p-relation":
            self.show_relation(event.value)

    @on(IdInput.Checked, "#p-id_number")
    def id_checked(self, event: IdInput.Checked) -> None:
        self.clear_error("#p-id_number-error")
        self.show_facts(event.cid)

    def show_facts(self, cid: Any) -> None:
        """Sex and birth date, read from a valid ID (never typed a second time)."""
        facts = self.query_one("#p-facts", Static)
        if cid is None:
            facts.update(Content.styled("—  —（由身份证号自动读出）", "dim"))
        else:
            facts.update(Content.styled(f"{cid.sex}  {cid.birth_date.isoformat()}", "bold"))

    def show_relation(self, typed: str) -> None:
        hint = self.query_one("#p-relation-hint", Static)
        if not typed.strip():
            hint.update("")
            return
        code = relation_code_of(typed)
        if code:
            hint.update(Content.styled(f"GB/T 4761：{code} {RELATION_CODES[code]}", "$success"))
        else:
            hint.update(Content.styled("未识别的关系（按户口簿填写）", "$warning"))

    # ───────────────────────── saving ─────────────────────────
    def action_save(self) -> None:
        if self.household is None:
            self.save_household()
        else:
            self.save_person()

    def refused(
        self, exc: BaseException, prefix: str, markers: tuple[tuple[str, tuple[str, ...]], ...]
    ) -> None:
        """Show a refusal under the field it names (and focus that field), else in the line."""
        text = plain_error(exc)
        key = field_at_fault(text, markers) if isinstance(exc, CounterError) else None
        if key is None:
            self.show_error(text)
            return
        self.clear_error()
        if key == "id_number":
            id_input = self.query_one("#p-id_number", IdInput)
            id_input.show_problem(text)
            id_input.focus()
            return
        self.show_error(text, f"#{prefix}-{key}-error")
        self.query_one(f"#{prefix}-{key}", Input).focus()

    def household_problems(self, values: dict[str, str]) -> dict[str, str]:
        """Every field's problem at once, by the same forms/ checks add_household makes (what
        needs the database, such as an unknown community, is left to the operation)."""
        from forms import dates, text
        from forms.people import check_phone, parse_date

        today = self.ctx.today()
        checks: dict[str, Any] = {
            key: (lambda v, k=key: text.field(v, k, required=k in ("origin_village", "community")))
            for key in ("origin_village", "community", "site", "grid", "building", "unit", "room")
        }
        checks["moved_in"] = lambda v: dates.check_moved_in(parse_date(v, "入住日期"), today)
        checks["phone"] = check_phone
        problems = {}
        for key, check in checks.items():
            try:
                check(values[key])
            except CounterError as exc:
                problems[key] = exc.zh
        return problems

    def save_household(self) -> None:
        from db.people import add_household
        from forms.people import parse_date

        values = {key: self.query_one(f"#hh-{key}", Input).value for key, _, _ in HOUSEHOLD_FIELDS}
        for key, _, _ in HOUSEHOLD_FIELDS:
            self.clear_error(f"#hh-{key}-error")
        problems = self.household_problems(values)
        if problems:
            self.clear_error()
            for key, text in problems.items():
                self.show_error(text, f"#hh-{key}-error")
            first = next(key for key, _, _ in HOUSEHOLD_FIELDS if key in problems)
            self.query_one(f"#hh-{first}", Input).focus()
            return
        try:
            moved_in = parse_date(values["moved_in"], "入住日期")
            household = self.ctx.call(
                add_household,
                origin_village=values["origin_village"],
                community=values["community"],
                moved_in=moved_in,
                today=self.ctx.today(),
                site=values["site"],
                grid=values["grid"],
                building=values["building"],
                unit=values["unit"],
                room=values["room"],
                phone=values["phone"],
            )
        except Exception as exc:
            self.refused(exc, "hh", HOUSEHOLD_MARKERS)
            return
        self.clear_error()
        self.notify(f"已登记搬迁户 {household.number}，请登记户主", title="登记", timeout=4)
        self.load_household(household.number)

    def reset_person_form(self) -> None:
        """Empty the member form for the next person; the head first while there is none."""
        for key in ("name", "relation", "phone"):
            self.query_one(f"#p-{key}", Input).value = ""
        self.query_one("#p-ethnicity", Input).value = "汉族"
        self.query_one("#p-id_number", IdInput).value = ""
        if self.household is not None and not self.household["has_head"]:
            self.query_one("#p-relation", Input).value = "户主"
        for key, _, _ in PERSON_FIELDS:
            self.clear_error(f"#p-{key}-error")
        self.query_one("#p-name", Input).focus()

    def person_values(self) -> dict[str, str]:
        values = {
            key: self.query_one(f"#p-{key}", Input).value
            for key, _, _ in PERSON_FIELDS
            if key != "id_number"
        }
        values["id_number"] = self.query_one("#p-id_number", IdInput).value
        return values

    def save_person(self) -> None:
        from db.people import add_person

        assert self.household is not None
        values = self.person_values()
        for key, _, _ in PERSON_FIELDS:
            self.clear_error(f"#p-{key}-error")
        try:
            person = self.ctx.call(
                add_person,
                household_number=self.household["number"],
                id_number=values["id_number"],
                name=values["name"],
                relation=values["relation"],
                today=self.ctx.today(),
                ethnicity=values["ethnicity"] or None,
                phone=values["phone"],
            )
        except Exception as exc:
            self.refused(exc, "p", PERSON_MARKERS)
            return
        self.clear_error()
        self.notify(
            f"已登记 {person.name}（{person.relation}，{person.sex}，"
            f"{person.birth_date.isoformat()}生）",
            title="登记",
            timeout=4,
        )
        self.load_household(self.household["number"])

    # ───────────────────────── leaving ─────────────────────────
    def unsaved_person(self) -> bool:
        values = self.person_values()
        default_relation = "" if self.household and self.household["has_head"] else "户主"
        return bool(
            values["name"].strip()
            or values["id_number"].strip()
            or values["phone"].strip()
            or values["relation"].strip() not in ("", default_relation)
        )

    def unsaved_household(self) -> bool:
        return (
            any(
                self.query_one(f"#hh-{key}", Input).value.strip()
                for key, _, _ in HOUSEHOLD_FIELDS
                if key != "community"
            )
            or self.query_one("#hh-community", Input).value.strip() != self._community
        )

    def action_finish(self) -> None:
        """Done with this household: open the head's person card."""
        if self.household is None:
            self.show_error("请先保存搬迁户（F9），再登记家庭成员")
            return
        if self.unsaved_person():
            self.show_error("还有未保存的成员信息：按 F9 保存，或清空后再按 Alt+O 完成")
            return
        if not self.load_household(self.household["number"]):
            return
        head_id = self.household["head_id"]
        if head_id is None:
            self.show_error("本户尚未登记户主：请先登记户主，再按 Alt+O 完成")
            return
        from tui.screens.person import PersonScreen

        stack = self.app.screen_stack
        below = stack[-2] if len(stack) >= 2 else None
        if isinstance(below, PersonScreen) and below.id_number == head_id:
            self.app.pop_screen()  # back to the head's card, which reloads
        else:
            self.app.switch_screen(PersonScreen(head_id))

    def action_back(self) -> None:
        from tui.screens.dialogs import ConfirmDialog

        hh = self.household
        if hh is None and self.unsaved_household():
            question = "搬迁户信息尚未保存，确定放弃并返回？"
        elif hh is not None and self.unsaved_person():
            question = "成员信息尚未保存，确定放弃并返回？"
            if not hh["has_head"]:
                question += "\n" + self.saved_note(hh)
        elif hh is not None and not hh["has_head"]:
            question = self.saved_note(hh) + "\n确定返回？"
        else:
            self.app.pop_screen()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.pop_screen()

        self.app.push_screen(ConfirmDialog(question, "返回", danger=True), callback=answered)

    @staticmethod
    def saved_note(hh: dict[str, Any]) -> str:
        """What leaving now means for a saved household: it stays, and how to come back to it."""
        number, count = hh["number"], len(hh["members"])
        who = "还没有登记任何成员" if count == 0 else f"已登记{count}人，尚无户主"
        return (
            f"搬迁户 {number} 已保存，{who}。"
            f"以后在首页查找框输入 {number} 打开本户，继续登记成员（先登记户主）。"
        )
