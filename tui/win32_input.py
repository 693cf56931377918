"""Chinese typed on the Windows console reaches the desk, whatever the lock keys say.

Textual 8.2.8's Windows input thread (textual/drivers/win32.py, `EventMonitor.run`) reads
console input records and skips every key-down record whose virtual-key code is 0 while
`dwControlKeyState` is non-zero. The Windows console (conhost, the default on Windows 10) writes
the text an IME commits as exactly such records: key-down, virtual-key code 0, the character, and
the current control-key state, which carries NUMLOCK_ON (0x20) or CAPSLOCK_ON (0x80) whenever
those locks are on (conhost's `ConsoleImeInfo::_InsertConvertedString`). So with NumLock on, the
Chinese a clerk types through the IME never reaches the app.

This module keeps those records and nothing else new:

- `keeps_key` is Textual's rule with that one hole closed: a key-down record with virtual-key
  code 0 and a character is typed text, whether NumLock, CapsLock, ScrollLock or Shift (IME
  full-width punctuation is typed with Shift) is down; with code 0 and no character, or with Ctrl
  or Alt held, it is still dropped as Textual drops it. Key-up records are dropped as before.
- `ConsoleInputDecoder` joins UTF-16 surrogate pairs (𠮷 comes as two records), also across two
  reads of the console, instead of failing on half a pair.
- `ConsoleInputPump` is what the input thread does with each read: decode, feed Textual's own
  `XTermParser`, post the events, report a new window size.

All of that is plain Python over ctypes structures laid out like the Windows ones, so tests build
records on any platform. `windows_driver_class()` (Windows only) plugs the pump into Textual's
`WindowsDriver`; `desk_driver_class()` is what `CounterApp` passes to Textual.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.driver import Driver

# INPUT_RECORD.EventType (wincon.h)
KEY_EVENT = 0x0001
MOUSE_EVENT = 0x0002
WINDOW_BUFFER_SIZE_EVENT = 0x0004
MENU_EVENT = 0x0008
FOCUS_EVENT = 0x0010

# KEY_EVENT_RECORD.dwControlKeyState (wincon.h)
RIGHT_ALT_PRESSED = 0x0001
LEFT_ALT_PRESSED = 0x0002
RIGHT_CTRL_PRESSED = 0x0004
LEFT_CTRL_PRESSED = 0x0008
SHIFT_PRESSED = 0x0010
NUMLOCK_ON = 0x0020
SCROLLLOCK_ON = 0x0040
CAPSLOCK_ON = 0x0080
ENHANCED_KEY = 0x0100
CTRL_OR_ALT = RIGHT_ALT_PRESSED | LEFT_ALT_PRESSED | RIGHT_CTRL_PRESSED | LEFT_CTRL_PRESSED

MAX_EVENTS = 1024  # records read at a time, as Textual reads them
REPLACEMENT = "\ufffd"  # half a surrogate pair: shown, so a lost character is seen, not silent


# The Windows structures with fixed-size fields (wintypes.BOOL/DWORD are 8 bytes on Linux and
# WCHAR is 4), so the layout is Windows' on every platform: INPUT_RECORD is 20 bytes, and
# ReadConsoleInputW fills an array of them directly. The character is kept as its UTF-16 code
# unit (an int), which is what the console hands over.
class COORD(ctypes.Structure):
    _fields_ = (("X", ctypes.c_int16), ("Y", ctypes.c_int16))


class uChar(ctypes.Union):
    _fields_ = (("UnicodeChar", ctypes.c_uint16), ("AsciiChar", ctypes.c_char))


class KEY_EVENT_RECORD(ctypes.Structure):
    _fields_ = (
        ("bKeyDown", ctypes.c_int32),
        ("wRepeatCount", ctypes.c_uint16),
        ("wVirtualKeyCode", ctypes.c_uint16),
        ("wVirtualScanCode", ctypes.c_uint16),
        ("uChar", uChar),
        ("dwControlKeyState", ctypes.c_uint32),
    )


class MOUSE_EVENT_RECORD(ctypes.Structure):
    _fields_ = (
        ("dwMousePosition", COORD),
        ("dwButtonState", ctypes.c_uint32),
        ("dwControlKeyState", ctypes.c_uint32),
        ("dwEventFlags", ctypes.c_uint32),
    )


class WINDOW_BUFFER_SIZE_RECORD(ctypes.Structure):
    _fields_ = (("dwSize", COORD),)


class MENU_EVENT_RECORD(ctypes.Structure):
    _fields_ = (("dwCommandId", ctypes.c_uint32),)


class FOCUS_EVENT_RECORD(ctypes.Structure):
    _fields_ = (("bSetFocus", ctypes.c_int32),)


class InputEvent(ctypes.Union):
    _fields_ = (
        ("KeyEvent", KEY_EVENT_RECORD),
        ("MouseEvent", MOUSE_EVENT_RECORD),
        ("WindowBufferSizeEvent", WINDOW_BUFFER_SIZE_RECORD),
        ("MenuEvent", MENU_EVENT_RECORD),
        ("FocusEvent", FOCUS_EVENT_RECORD),
    )


class INPUT_RECORD(ctypes.Structure):
    _fields_ = (("EventType", ctypes.c_uint16), ("Event", InputEvent))


def key_record(
    char: str | int = 0,
    *,
    vk: int = 0,
    state: int = 0,
    down: bool = True,
    scan: int = 0,
    repeat: int = 1,
) -> INPUT_RECORD:
    """One KEY_EVENT record; `char` is one UTF-16 code unit (a str of one BMP character, or an int)."""
    record = INPUT_RECORD()
    record.EventType = KEY_EVENT
    key = record.Event.KeyEvent
    key.bKeyDown = int(down)
    key.wRepeatCount = repeat
    key.wVirtualKeyCode = vk
    key.wVirtualScanCode = scan
    key.uChar.UnicodeChar = char if isinstance(char, int) else ord(char)
    key.dwControlKeyState = state
    return record


def typed_records(text: str, *, state: int = 0) -> list[INPUT_RECORD]:
    """`text` as conhost writes committed IME text: one key-down per UTF-16 code unit, virtual-key
    code 0, and the control-key state of the moment (NUMLOCK_ON when NumLock is on)."""
    units = text.encode("utf-16-le")
    return [
        key_record(int.from_bytes(units[i : i + 2], "little"), state=state)
        for i in range(0, len(units), 2)
    ]


def size_record(width: int, height: int) -> INPUT_RECORD:
    record = INPUT_RECORD()
    record.EventType = WINDOW_BUFFER_SIZE_EVENT
    record.Event.WindowBufferSizeEvent.dwSize.X = width
    record.Event.WindowBufferSizeEvent.dwSize.Y = height
    return record


def keeps_key(key: KEY_EVENT_RECORD) -> bool:
    """Whether a key record gives the app its character.

    Textual keeps every key-down record except those with virtual-key code 0 and any control-key
    state. Here those are kept too when they carry a character and neither Ctrl nor Alt is held:
    that is committed IME text with a lock key (or Shift) down. Everything else is as Textual has it.
    """
    if not key.bKeyDown:
        return False
    if key.wVirtualKeyCode == 0 and key.dwControlKeyState:
        return key.uChar.UnicodeChar != 0 and not key.dwControlKeyState & CTRL_OR_ALT
    return True


class ConsoleInputDecoder:
    """Console records in, text and the last new window size out, one read at a time.

    The text is what Textual's parser should be fed. A high surrogate at the end of one read waits
    for its low half in the next; a half pair with no partner becomes U+FFFD instead of stopping
    the input thread (Textual's own join raises UnicodeDecodeError on it, outside its loop).
    """

    def __init__(self) -> None:
        self.pending_high: int | None = None

    def decode(self, records: Iterable[INPUT_RECORD]) -> tuple[str, tuple[int, int] | None]:
        out: list[str] = []
        new_size: tuple[int, int] | None = None
        for record in records:
            if record.EventType == KEY_EVENT:
                key = record.Event.KeyEvent
                if keeps_key(key):
                    self._unit(key.uChar.UnicodeChar, out)
            elif record.EventType == WINDOW_BUFFER_SIZE_EVENT:
                size = record.Event.WindowBufferSizeEvent.dwSize
                new_size = (size.X, size.Y)
        return "".join(out), new_size

    def flush(self) -> str:
        """What is left at the end of the input: a lone high surrogate, shown as U+FFFD."""
        if self.pending_high is None:
            return ""
        self.pending_high = None
        return REPLACEMENT

    def _unit(self, unit: int, out: list[str]) -> None:
        if 0xD800 <= unit <= 0xDBFF:  # high surrogate: wait for the low half
            out.append(self.flush())
            self.pending_high = unit
        elif 0xDC00 <= unit <= 0xDFFF:  # low surrogate: completes a pair, or stands alone
            if self.pending_high is None:
                out.append(REPLACEMENT)
            else:
                out.append(chr(0x10000 + ((self.pending_high - 0xD800) << 10) + (unit - 0xDC00)))
                self.pending_high = None
        else:
            out.append(self.flush())
            out.append(chr(unit))


def records_to_text(records: Iterable[INPUT_RECORD]) -> str:
    """The text a whole sequence of records gives the app (a trailing half pair as U+FFFD)."""
    decoder = ConsoleInputDecoder()
    text, _ = decoder.decode(records)
    return text + decoder.flush()


class ConsoleInputPump:
    """What the desk's Windows input thread does with each read of the console: decode the
    records, feed the text to Textual's XTermParser, post the events, report a resize."""

    def __init__(
        self,
        process_event: Callable[[Any], Any],  # the driver's (it takes Textual's Event)
        on_size_change: Callable[[int, int], Any],
    ) -> None:
        from textual import constants
        from textual._xterm_parser import XTermParser

        self.process_event = process_event
        self.on_size_change = on_size_change
        self.parser = XTermParser(debug=constants.DEBUG)
        self.decoder = ConsoleInputDecoder()

    def tick(self) -> None:
        """Let the parser time out a lone Esc (called between reads, as Textual does)."""
        for event in self.parser.tick():
            self.process_event(event)

    def feed(self, records: Iterable[INPUT_RECORD]) -> None:
        text, new_size = self.decoder.decode(records)
        if text:
            for event in self.parser.feed(text):
                self.process_event(event)
        if new_size is not None:
            self.on_size_change(*new_size)


def windows_driver_class() -> type[Driver]:
    """Textual's WindowsDriver, reading the console through ConsoleInputPump (Windows only:
    Textual's win32 modules load kernel32 and msvcrt when imported)."""
    from textual.drivers import win32
    from textual.drivers.windows_driver import WindowsDriver

    class DeskEventMonitor(win32.EventMonitor):
        """Textual's input thread, same waits and reads, with the records decoded here."""

        def run(self) -> None:
            exit_requested = self.exit_event.is_set
            pump = ConsoleInputPump(self.process_event, self.on_size_change)
            try:
                read_count = ctypes.c_uint32(0)
                handle = win32.GetStdHandle(win32.STD_INPUT_HANDLE)
                records = (INPUT_RECORD * MAX_EVENTS)()
                read_console_input = win32.KERNEL32.ReadConsoleInputW
                while not exit_requested():
                    pump.tick()
                    if win32.wait_for_handles([handle], 100) is None:
                        continue
                    read_console_input(
                        handle, ctypes.byref(records), MAX_EVENTS, ctypes.byref(read_count)
                    )
                    pump.feed(records[: read_count.value])
            except Exception as error:
                self.app.log.error("EVENT MONITOR ERROR", error)

    class DeskWindowsDriver(WindowsDriver):
        """Everything as Textual does it, except that the input thread is DeskEventMonitor.

        Textual's start_application_mode builds its monitor as `win32.EventMonitor(...)`; the
        name is pointed at ours for the length of that call only (the app's own thread, at start
        and on resume), so the rest of Textual's start-up stays Textual's.
        """

        def start_application_mode(self) -> None:
            textual_monitor = win32.EventMonitor
            win32.EventMonitor = DeskEventMonitor  # type: ignore[misc]
            try:
                super().start_application_mode()
            finally:
                win32.EventMonitor = textual_monitor  # type: ignore[misc]
            if not isinstance(self._event_thread, DeskEventMonitor):
                self._app.log.warning(
                    "Textual's Windows driver no longer builds win32.EventMonitor: "
                    "Chinese typed with NumLock on may be lost (see tui/win32_input.py)"
                )

    return DeskWindowsDriver


def desk_driver_class(platform: str = sys.platform) -> type[Driver] | None:
    """The driver CounterApp asks Textual for: ours on Windows, Textual's choice elsewhere.

    TEXTUAL_DRIVER still wins (Textual honours it when given None), so
    `TEXTUAL_DRIVER=textual.drivers.windows_driver:WindowsDriver` goes back to Textual's own.
    """
    if platform != "win32" or os.environ.get("TEXTUAL_DRIVER"):
        return None
    return windows_driver_class()
