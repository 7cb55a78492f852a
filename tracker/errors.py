"""Errors the domain raises for users: a message key and its parameters, never a sentence.

Each channel renders the key in the user's language (SMS without diacritics).
"""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """Something the user asked for cannot be done; nothing has been changed."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
