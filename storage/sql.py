"""Queries are written once, in the SQL that SQLite and PostgreSQL share, with SQLite's
placeholders (`?` and `:name`); PostgreSQL's driver gets them as `%s` and `%(name)s`.

Only the triggers, upserts' date maths and index hints differ between the two: those
live in the migrations (one file per backend and number) or behind `StoreBase`.
"""

from __future__ import annotations

from functools import lru_cache

_NAME_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_NAME_REST = _NAME_START + "0123456789"


@lru_cache(maxsize=4096)  # the same few hundred statements, over and over
def to_pyformat(sql: str) -> str:
    """`?` -> `%s`, `:name` -> `%(name)s`, `%` -> `%%`, outside quotes, `--` comments and
    `::` casts."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char in "'\"":  # a literal or quoted identifier, copied whole ('' escapes)
            end = i + 1
            while end < n:
                if sql[end] == char:
                    if end + 1 < n and sql[end + 1] == char:
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1].replace("%", "%%"))
            i = end + 1
        elif sql.startswith("--", i):  # a comment, to its line's end: an apostrophe or
            end = sql.find("\n", i)  # a `:word` in it is prose, not a literal or a name
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif char == "?":
            out.append("%s")
            i += 1
        elif char == "%":
            out.append("%%")
            i += 1
        elif char == ":" and i + 1 < n and sql[i + 1] == ":":
            out.append("::")
            i += 2
        elif char == ":" and i + 1 < n and sql[i + 1] in _NAME_START:
            end = i + 1
            while end < n and sql[end] in _NAME_REST:
                end += 1
            out.append(f"%({sql[i + 1 : end]})s")
            i = end
        else:
            out.append(char)
            i += 1
    return "".join(out)
