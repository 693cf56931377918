"""PDF printouts from plain data: receipts, one-time notification slips, transfer slips,
permit cards and daily logs.

Each document is a `render_*` function of a dataclass from `forms.papers`, in its own module;
nothing here knows peewee or Textual, so the CLI, the desk and the tests all print the same way.
"""

from printouts import _startup

_startup.install()
