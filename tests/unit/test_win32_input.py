"""Chinese typed on the Windows console survives NumLock and CapsLock (tui/win32_input.py).

The records are built as conhost builds them: committed IME text is one key-down record per
UTF-16 code unit with virtual-key code 0 and the control-key state of the moment
(`ConsoleImeInfo::_InsertConvertedString` in microsoft/terminal, src/host/conimeinfo.cpp);
keys conhost turns into VT sequences (ENABLE_VIRTUAL_TERMINAL_INPUT, which Textual sets) come as
key-down records of the sequence's characters with code 0 and state 0; other keys come as they
were pressed, with their virtual-key code.

Textual's win32 modules load kernel32 and msvcrt when imported, so on Linux they are read, not
imported: `textual_keeps` restates Textual's predicate, and a test checks it is still the one in
the installed Textual's source.
"""

from __future__ import annotations

import ast
import ctypes
import hashlib
import importlib.util
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual import constants, events
from textual._xterm_parser import XTermParser

from tui.win32_input import (
    CAPSLOCK_ON,
    ENHANCED_KEY,
    INPUT_RECORD,
    KEY_EVENT,
    KEY_EVENT_RECORD,
    LEFT_ALT_PRESSED,
    LEFT_CTRL_PRESSED,
    NUMLOCK_ON,
    RIGHT_ALT_PRESSED,
    SCROLLLOCK_ON,
    SHIFT_PRESSED,
    ConsoleInputDecoder,
    ConsoleInputPump,
    desk_driver_class,
    keeps_key,
    key_record,
    records_to_text,
    size_record,
    typed_records,
)

VK_SHIFT = 0x10
VK_A = 0x41
VK_X = 0x58
VK_NUMLOCK = 0x90


def textual_keeps(key: KEY_EVENT_RECORD) -> bool:
    """Textual 8.2.8's rule, restated from textual/drivers/win32.py, EventMonitor.run,
    lines 272-278:

        if key_event.bKeyDown:
            if (
                key_event.dwControlKeyState
                and key_event.wVirtualKeyCode == 0
            ):
                continue
            append_key(key)
    """
    return bool(key.bKeyDown) and not (key.dwControlKeyState and key.wVirtualKeyCode == 0)


def textual_text(records: list[INPUT_RECORD]) -> str:
    """The text Textual 8.2.8 feeds its parser for one read (win32.py lines 265-290)."""
    keys = [
        chr(r.Event.KeyEvent.uChar.UnicodeChar)
        for r in records
        if r.EventType == KEY_EVENT and textual_keeps(r.Event.KeyEvent)
    ]
    return "".join(keys).encode("utf-16", "surrogatepass").decode("utf-16")


def key_events(text: str) -> list[events.Key]:
    """The Key events Textual's parser makes of `text` (a lone Esc after its timeout)."""
    parser = XTermParser()
    found = list(parser.feed(text))
    time.sleep(constants.ESCAPE_DELAY + 0.05)
    found += list(parser.tick())
    return [e for e in found if isinstance(e, events.Key)]


def keys_of(text: str) -> list[str]:
    return [e.key for e in key_events(text)]


def chars_of(text: str) -> list[str | None]:
    return [e.character for e in key_events(text)]


# ───────────────────────── the bug, proven against Textual's own rule ─────────────────────────


def _textual_source(relative: str) -> str:
    spec = importlib.util.find_spec("textual")
    assert spec is not None and spec.submodule_search_locations
    return (Path(spec.submodule_search_locations[0]) / relative).read_text(encoding="utf-8")


def _function_source(module_source: str, cls: str, name: str) -> str:
    for node in ast.walk(ast.parse(module_source)):
        if isinstance(node, ast.ClassDef) and node.name == cls:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == name:
                    return ast.unparse(item)
    raise AssertionError(f"{cls}.{name} not found")


# sha256 of ast.unparse(EventMonitor.run) in Textual 8.2.8. If Textual changes its Windows input
# loop, re-read it: DeskEventMonitor.run mirrors it, and the bug may be fixed upstream.
TEXTUAL_RUN_SHA256 = "8b7265ab9176cfd7173e3e5a185c60535a30153b479529378c2b80b6539e04da"


def test_textual_still_has_the_predicate_restated_here() -> None:
    tree = ast.parse(_textual_source("drivers/win32.py"))
    skips = [
        ast.unparse(node.test)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and [type(b) for b in node.body] == [ast.Continue]
    ]
    assert "key_event.dwControlKeyState and key_event.wVirtualKeyCode == 0" in skips


def test_textual_input_loop_is_the_one_mirrored() -> None:
    run = _function_source(_textual_source("drivers/win32.py"), "EventMonitor", "run")
    digest = hashlib.sha256(run.encode()).hexdigest()
    assert digest == TEXTUAL_RUN_SHA256, (
        "Textual's win32 EventMonitor.run changed: compare it with DeskEventMonitor.run in "
        f"tui/win32_input.py, then record the new digest {digest}"
    )


def test_textual_driver_still_builds_its_monitor_through_the_module() -> None:
    # DeskWindowsDriver points win32.EventMonitor at its own monitor during this call.
    start = _function_source(
        _textual_source("drivers/windows_driver.py"), "WindowsDriver", "start_application_mode"
    )
    assert "self._event_thread = win32.EventMonitor(" in start


def test_textual_drops_chinese_typed_with_numlock_on() -> None:
    # The fix is needed: Textual's own rule throws committed IME text away under NumLock.
    records = typed_records("张三丰", state=NUMLOCK_ON)
    assert not any(textual_keeps(r.Event.KeyEvent) for r in records)
    assert textual_text(records) == ""
    # ... and keeps it only with every lock key off.
    assert textual_text(typed_records("张三丰", state=0)) == "张三丰"


# ───────────────────────── what the desk receives ─────────────────────────


@pytest.mark.parametrize(
    "state",
    [
        0,
        NUMLOCK_ON,
        CAPSLOCK_ON,
        NUMLOCK_ON | CAPSLOCK_ON,
        NUMLOCK_ON | CAPSLOCK_ON | SCROLLLOCK_ON,
        NUMLOCK_ON | SHIFT_PRESSED,  # full-width punctuation is typed with Shift
        ENHANCED_KEY | NUMLOCK_ON,
    ],
    ids=["no-lock", "numlock", "capslock", "both", "all-locks", "numlock+shift", "enhanced"],
)
def test_chinese_arrives_whatever_the_lock_keys(state: int) -> None:
    records = typed_records("张三丰，曾", state=state)
    assert records_to_text(records) == "张三丰，曾"
    assert chars_of(records_to_text(records)) == ["张", "三", "丰", "，", "曾"]


def test_a_character_outside_the_bmp_comes_as_two_records_and_leaves_as_one() -> None:
    records = typed_records("𠮷田", state=NUMLOCK_ON)
    assert len(records) == 3  # high surrogate, low surrogate, 田
    assert [r.Event.KeyEvent.uChar.UnicodeChar for r in records[:2]] == [0xD842, 0xDFB7]
    assert records_to_text(records) == "𠮷田"
    assert chars_of(records_to_text(records)) == ["𠮷", "田"]


@pytest.mark.parametrize(
    "text",
    ["\U00010000", "\U0010ffff", "\ud7ff", "\ue000", "\uffff", "\U0002a6d6"],
    ids=["first-pair", "last-pair", "below-surrogates", "above-surrogates", "bmp-end", "ext-b"],
)
def test_the_edges_of_the_surrogate_ranges(text: str) -> None:
    records = typed_records(text + "田", state=NUMLOCK_ON)
    assert len(records) == len(text.encode("utf-16-le")) // 2 + 1
    assert records_to_text(records) == text + "田"


def test_a_pair_split_across_two_reads_is_joined() -> None:
    high, low = typed_records("𠮷", state=NUMLOCK_ON)
    decoder = ConsoleInputDecoder()
    assert decoder.decode([*typed_records("吉"), high]) == ("吉", None)
    assert decoder.decode([low, *typed_records("田")]) == ("𠮷田", None)
    assert decoder.flush() == ""
    # Textual's own join raises on such a read (NumLock off, so it keeps the records), outside
    # its loop: its input thread would end and the keyboard go dead.
    with pytest.raises(UnicodeDecodeError):
        textual_text(typed_records("吉") + typed_records("𠮷")[:1])


def test_half_a_pair_with_no_partner_shows_as_a_replacement_character() -> None:
    high, low = typed_records("𠮷")
    assert records_to_text([high, *typed_records("田")]) == "\ufffd田"
    assert records_to_text([low, *typed_records("田")]) == "\ufffd田"
    assert records_to_text([*typed_records("田"), high]) == "田\ufffd"
    assert records_to_text([high, high, low]) == "\ufffd𠮷"


def test_ordinary_keys_arrive_as_before() -> None:
    # Typed letters come with their virtual-key code, down and up; NumLock on changes nothing.
    records = [
        key_record("a", vk=VK_A, state=NUMLOCK_ON, scan=0x1E),
        key_record("a", vk=VK_A, state=NUMLOCK_ON, scan=0x1E, down=False),
        key_record("1", vk=0x31, state=NUMLOCK_ON),
        key_record("1", vk=0x31, state=NUMLOCK_ON, down=False),
    ]
    assert records_to_text(records) == "a1" == textual_text(records)
    assert keys_of("a1") == ["a", "1"]


def test_function_keys_and_arrows_as_conhost_sends_them_in_vt_mode() -> None:
    # ENABLE_VIRTUAL_TERMINAL_INPUT: F1, F10 and ↑ arrive as their VT sequences, code 0, state 0.
    records = typed_records("\x1bOP") + typed_records("\x1b[21~") + typed_records("\x1b[A")
    assert records_to_text(records) == textual_text(records)
    assert keys_of(records_to_text(records)) == ["f1", "f10", "up"]


def test_ctrl_and_alt_combinations() -> None:
    # Ctrl+A: its virtual-key code and the control character, kept as Textual keeps it.
    ctrl_a = key_record("\x01", vk=VK_A, state=LEFT_CTRL_PRESSED | NUMLOCK_ON)
    assert keys_of(records_to_text([ctrl_a])) == ["ctrl+a"]
    # Alt+X in VT mode is Esc then x (the desk's lock key).
    alt_x = typed_records("\x1bx")
    assert keys_of(records_to_text(alt_x)) == ["alt+x"]
    # A character with code 0 while Ctrl or Alt is held is not typing: dropped, as Textual does.
    for state in (LEFT_CTRL_PRESSED, LEFT_ALT_PRESSED, RIGHT_ALT_PRESSED | LEFT_CTRL_PRESSED):
        record = key_record("x", state=state | NUMLOCK_ON)
        assert records_to_text([record]) == "" == textual_text([record])


def test_key_up_records_give_nothing() -> None:
    ups = [key_record(c, down=False, state=NUMLOCK_ON) for c in "张三"]
    ups.append(key_record("\x1b", vk=0x1B, down=False))  # Esc's key-up: not a second Esc
    assert records_to_text(ups) == "" == textual_text(ups)


def test_a_modifier_alone_gives_nothing() -> None:
    # Code 0, no character, a modifier or lock state: Textual drops it and so does the desk.
    for state in (SHIFT_PRESSED, LEFT_CTRL_PRESSED, NUMLOCK_ON, SHIFT_PRESSED | CAPSLOCK_ON):
        record = key_record(0, state=state)
        assert not keeps_key(record.Event.KeyEvent)
        assert records_to_text([record]) == "" == textual_text([record])


def test_a_real_modifier_key_is_left_as_textual_has_it() -> None:
    # Shift or NumLock pressed on their own carry a virtual-key code: Textual's rule applies
    # unchanged (these are outside the fix; conhost's VT input mode does not pass them on).
    for vk in (VK_SHIFT, VK_NUMLOCK):
        record = key_record(0, vk=vk, state=SHIFT_PRESSED | NUMLOCK_ON)
        assert keeps_key(record.Event.KeyEvent) == textual_keeps(record.Event.KeyEvent)


key_records = st.builds(
    key_record,
    st.sampled_from([0, ord("a"), ord("\x01"), ord("\x1b"), ord("张"), ord("，"), 0xD842, 0xDFB7]),
    vk=st.sampled_from([0, VK_A, VK_X, VK_SHIFT, 0x1B]),
    state=st.integers(min_value=0, max_value=0x1FF),
    down=st.booleans(),
)


@given(key_records)
def test_the_only_change_from_textual_is_typed_text_with_a_lock_or_shift(record: Any) -> None:
    key = record.Event.KeyEvent
    rescued = (
        key.bKeyDown
        and key.wVirtualKeyCode == 0
        and key.dwControlKeyState
        and key.uChar.UnicodeChar != 0
        and not key.dwControlKeyState & 0x000F  # either Ctrl, either Alt
    )
    if rescued:
        assert keeps_key(key) and not textual_keeps(key)
    else:
        assert keeps_key(key) == textual_keeps(key)


@given(st.lists(key_records, max_size=12))
def test_same_text_as_textual_whenever_textual_loses_nothing(records: list[Any]) -> None:
    units = [r.Event.KeyEvent.uChar.UnicodeChar for r in records if keeps_key(r.Event.KeyEvent)]
    if any(0xD800 <= u <= 0xDFFF for u in units):
        return  # surrogates: covered by the pair tests above
    if all(keeps_key(r.Event.KeyEvent) == textual_keeps(r.Event.KeyEvent) for r in records):
        assert records_to_text(records) == textual_text(records)


def test_the_pump_posts_keys_and_resizes() -> None:
    posted: list[Any] = []
    sizes: list[tuple[int, int]] = []
    pump = ConsoleInputPump(posted.append, lambda w, h: sizes.append((w, h)))
    high, low = typed_records("𠮷", state=NUMLOCK_ON)
    pump.feed([*typed_records("张", state=NUMLOCK_ON | CAPSLOCK_ON), high])
    pump.feed([low, size_record(100, 30), *typed_records("\x1bOP")])
    assert [e.key for e in posted if isinstance(e, events.Key)] == ["张", "𠮷", "f1"]
    assert sizes == [(100, 30)]
    pump.feed(typed_records("\x1b"))  # a lone Esc waits for the parser's timeout
    time.sleep(constants.ESCAPE_DELAY + 0.05)
    pump.tick()
    assert [e.key for e in posted if isinstance(e, events.Key)][-1] == "escape"


def test_the_structures_have_the_windows_layout() -> None:
    # ReadConsoleInputW fills an array of these on Windows: sizes and offsets as in wincon.h.
    assert ctypes.sizeof(INPUT_RECORD) == 20
    assert ctypes.sizeof(KEY_EVENT_RECORD) == 16
    assert INPUT_RECORD.Event.offset == 4
    assert KEY_EVENT_RECORD.wVirtualKeyCode.offset == 6
    assert KEY_EVENT_RECORD.uChar.offset == 10
    assert KEY_EVENT_RECORD.dwControlKeyState.offset == 12


def test_the_desk_keeps_textuals_driver_off_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    assert desk_driver_class("linux") is None
    assert desk_driver_class("darwin") is None
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.windows_driver:WindowsDriver")
    assert desk_driver_class("win32") is None  # the way back to Textual's own driver


@pytest.mark.skipif(sys.platform != "win32", reason="Textual's win32 driver loads kernel32")
def test_the_windows_driver_is_textuals_with_our_monitor(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.drivers.windows_driver import WindowsDriver

    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    driver = desk_driver_class("win32")
    assert driver is not None and issubclass(driver, WindowsDriver)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Textual's Linux driver")
def test_the_desk_app_runs_on_textuals_own_driver_on_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.drivers.linux_driver import LinuxDriver

    from tui.app import CounterApp

    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    assert CounterApp(ctx=None).driver_class is LinuxDriver  # type: ignore[arg-type]
