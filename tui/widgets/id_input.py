"""A citizen-ID field checked as it is typed, with the exact problem in a line under it.

Every change posts `IdInput.Checked` with what the digits say so far (forms.citizen_id.
check_typed_id): the first real problem, or the birth date and sex as soon as they are typed,
and the parsed number once it is complete and valid. A screen fills sex and birth date from it
and may put an error of its own under the field (`show_problem`, e.g. "already registered")
until the next key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, Static

from forms.citizen_id import CitizenId, IdProgress, age_on, check_typed_id

IDLE_HINT = "18位，末位可为X；出生日期和性别从号码读出"


class IdInput(Vertical):
    """Label, input and the live check line. `value`, `progress` and `cid` read its state."""

    DEFAULT_CSS: ClassVar[str] = """
    IdInput {
        height: auto;
    }
    IdInput > .id-row {
        height: 1;
    }
    IdInput .id-label {
        width: 10;
        height: 1;
    }
    IdInput Input {
        width: 1fr;
        max-width: 30;
        height: 1;
        border: none !important;  /* one line, in the app's ASCII-border mode too */
        padding: 0;
    }
    IdInput .id-check {
        height: auto;
        padding-left: 10;
        color: $text-muted;
    }
    """

    @dataclass
    class Checked(Message):
        """Posted at each change: the number as read so far and its first problem, if any."""

        id_input: IdInput
        progress: IdProgress

        @property
        def control(self) -> IdInput:
            return self.id_input

        @property
        def cid(self) -> CitizenId | None:
            return self.progress.cid

    @dataclass
    class Submitted(Message):
        """Enter in the field (whatever its state: the screen decides what to do)."""

        id_input: IdInput
        progress: IdProgress

        @property
        def control(self) -> IdInput:
            return self.id_input

    def __init__(
        self,
        *,
        today: Callable[[], dt.date],
        label: str = "身份证号",
        value: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._today = today
        self._label = label
        self._initial = value
        self._outside = ""  # a problem a screen put under the field (cleared by the next key)
        self.progress: IdProgress = check_typed_id(value, today())

    def compose(self) -> ComposeResult:
        with Horizontal(classes="id-row"):
            yield Label(self._label, classes="id-label")
            yield Input(
                value=self._initial, placeholder="18位身份证号", max_length=24, classes="id-field"
            )
        yield Static(IDLE_HINT, classes="id-check")

    def on_mount(self) -> None:
        self._show()

    # ───────────────────────── reading and writing ─────────────────────────
    @property
    def input(self) -> Input:
        return self.query_one(".id-field", Input)

    @property
    def value(self) -> str:
        return self.input.value

    @value.setter
    def value(self, text: str) -> None:
        self.input.value = text  # posts Input.Changed, which re-checks

    @property
    def cid(self) -> CitizenId | None:
        return self.progress.cid

    def focus(self, scroll_visible: bool = True) -> IdInput:
        self.input.focus(scroll_visible)
        return self

    def show_problem(self, text: str) -> None:
        """Put a problem found elsewhere (a write refused) under the field until the next key."""
        self._outside = text
        self._show()

    # ───────────────────────── checking ─────────────────────────
    @on(Input.Changed, ".id-field")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._outside = ""
        self.progress = check_typed_id(event.value, self._today())
        self._show()
        self.post_message(self.Checked(self, self.progress))

    @on(Input.Submitted, ".id-field")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(self, self.progress))

    def check_line(self) -> Content:
        """The line under the field, in words (colour only helps)."""
        p = self.progress
        if self._outside:
            return Content.styled(self._outside, "bold $error")
        if p.problem:
            return Content.styled(p.problem, "bold $error")
        if p.cid is not None:
            age = age_on(p.cid.birth_date, self._today())
            return Content.styled(
                f"号码有效 · {p.cid.sex} · {p.cid.birth_date.isoformat()}生（{age}岁）", "$success"
            )
        if not p.typed:
            return Content(IDLE_HINT)
        facts = []
        if p.birth_date is not None:
            facts.append(f"{p.birth_date.isoformat()}生")
        if p.sex is not None:
            facts.append(p.sex)
        said = f" · {' · '.join(facts)}" if facts else ""
        return Content(f"已输入{p.typed}/18位{said}")

    def _show(self) -> None:
        line = self.query(".id-check")
        if line:
            line.first(Static).update(self.check_line())
        self.set_class(bool(self._outside or self.progress.problem), "-problem")
