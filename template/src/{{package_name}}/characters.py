"""Characters no submitted text may hold: NUL, which PostgreSQL cannot store, and lone surrogates
(half of a UTF-16 pair, which JSON can carry as an escape such as "\\ud800"), which cannot be
encoded at all, so neither stored, hashed nor shown on a page."""

from typing import Annotated

from pydantic import AfterValidator


def unusable_character(text: str) -> str | None:
    """The name of the first character of `text` that cannot be used, or None."""
    if "\x00" in text:
        return "U+0000 (NUL)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return f"U+{ord(text[error.start]):04X} (a lone surrogate)"
    return None


def usable(text: str) -> str:
    """`text`, or ValueError naming the character that cannot be used (a pydantic validator)."""
    if problem := unusable_character(text):
        raise ValueError(f"contains {problem}, which cannot be used")
    return text


UsableStr = Annotated[str, AfterValidator(usable)]
"""A string field of a request body that refuses unusable characters (422, naming the field)."""
