"""Storage and the counter operations, as transactions over peewee models.

The desk and the CLI call the functions in `db.operations`-style modules (`setup`, `people`,
`permits`, `requests`); neither writes through the models directly.
"""

from db.connection import db, default_url, open_database

__all__ = ["db", "default_url", "open_database"]
