"""The one error type every layer raises for bad input or a refused operation."""

from __future__ import annotations


class CounterError(Exception):
    """A problem a person at the counter can act on, said in Chinese and in English.

    The CLI prints both on one line; the desk shows the Chinese text.
    """

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}
