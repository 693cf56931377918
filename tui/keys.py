"""The desk's key map, in one place: the App's bindings, the footer and the F1 help read it.

Every function key has an alt+letter twin: remote sessions and old terminals lose F-keys, and
ctrl+s/ctrl+q (flow control), ctrl+h (backspace), ctrl+c, ctrl+z and ctrl+p (the command
palette) are avoided.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class AppKey:
    key: str  # the function key
    alt: str  # the alt+letter that does the same
    action: str  # the App's action_<name>
    label: str  # short, for the footer
    help: str  # one line for F1

    @property
    def keys(self) -> str:
        return f"{self.key},{self.alt}"

    @property
    def shown(self) -> str:
        return f"{self.key.upper()} / {display_key(self.alt)}"


APP_KEYS: tuple[AppKey, ...] = (
    AppKey("f1", "alt+h", "help", "帮助", "本屏幕和全局按键说明"),
    AppKey(
        "f2",
        "alt+f",
        "find",
        "查找",
        "回到首页的查找框（清空后输入）：身份证号/尾号/姓名/拼音首字母/受理编号/扫码",
    ),
    AppKey("f3", "alt+n", "new_request", "新办件", "为屏幕上的人新办一件（选事项、核验、受理）"),
    AppKey("f4", "alt+e", "permit", "居住证", "屏幕上的人的居住证：办理、签注、补换、注销"),
    AppKey("f5", "alt+r", "register", "登记", "登记搬迁户和家庭成员"),
    AppKey(
        "f6", "alt+l", "lists", "列表", "本窗口待办：今日、待补正、转办待回、到期、超期、本周签注"
    ),
    AppKey(
        "f7", "alt+d", "print", "打印", "打印屏幕上的内容（回执、告知单、转办单、居住证、台账）"
    ),
    AppKey(
        "f8", "alt+s", "supervisor", "主管", "台账与统计、超期、打印台账、账号、事项目录（负责人）"
    ),
    AppKey(
        "f10", "alt+x", "lock", "锁屏", "锁定屏幕（同一工作人员输入密码解锁）；锁屏后可退出登录"
    ),
)


NAMES = {"escape": "Esc", "pagedown": "PgDn", "pageup": "PgUp", "space": "空格", "delete": "Del"}


def display_key(key: str) -> str:
    """How a key is written for people: alt+h -> Alt+H, f10 -> F10, ctrl+o -> Ctrl+O."""
    if key in NAMES:
        return NAMES[key]
    parts = key.split("+")
    return "+".join(p.upper() if len(p) == 1 or p[0] == "f" else p.capitalize() for p in parts)


def app_bindings() -> list[Binding]:
    """F-key bindings shown in the footer, and their alt twins hidden there (F1 lists them)."""
    bindings: list[Binding] = []
    for k in APP_KEYS:
        bindings.append(
            Binding(
                k.key,
                k.action,
                k.label,
                key_display=k.key.upper(),
                id=f"app.{k.action}",
                priority=True,
            )
        )
        bindings.append(
            Binding(k.alt, k.action, k.label, show=False, id=f"app.{k.action}.alt", priority=True)
        )
    return bindings
