"""Which new passwords are accepted: long enough, and hard to guess by zxcvbn's estimate (common
passwords, keyboard walks, dates, l33t, and the person's own e-mail address and name all score low)."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterable

from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 256
#: zxcvbn scores at most this many characters (its cost grows fast with the length): the first ones of
#: a longer password decide.
SCORED_LENGTH = 72
#: Words of the platform that make a guessable password here ("lotsizeone2024").
PLATFORM_WORDS = (
    "lot size one",
    "lotsizeone",
    "lot-size-one",
    "lso",
    "platform",
    "customer",
    "manufacturer",
    "supplier",
    "order",
    "demo",
)
WEAK_PASSWORD = "/problems/weak-password"
#: zxcvbn keeps the user inputs of a call in a module-wide dictionary: one call at a time.
_scoring = threading.Lock()


class WeakPassword(ValueError):
    """The password would be too easy to guess; the message says why and what helps, in words."""


def personal_words(email: str, display_name: str) -> list[str]:
    """The e-mail address, its parts, the name and its words: what a guesser tries first."""
    address = email.strip().lower()
    name = display_name.strip().lower()
    local, _, domain = address.partition("@")
    words = [local, *re.split(r"[^\w]+", local), *name.split(), name, address, domain, *domain.split(".")]
    return [word for word in dict.fromkeys(words) if len(word) >= 3]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _advice(warning: str, suggestions: Iterable[str], personal: bool) -> str:
    reasons = [_sentence(warning)] if warning else []
    if personal:
        reasons.append("It contains your e-mail address or your name.")
    if not reasons:
        reasons.append("This password would be easy to guess.")
    hints = [_sentence(hint) for hint in suggestions] or [
        "A few uncommon words together make a password that is hard to guess and easy to remember."
    ]
    return " ".join(reasons + hints)


def check_new_password(password: str, *, email: str, display_name: str, min_score: int) -> None:
    """Raise :class:`WeakPassword` unless ``password`` is long enough and scores at least ``min_score``
    (0 to 4) with the person's e-mail address, name and the platform's words counted as known."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"The password is too short: use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"The password is too long: use at most {MAX_LENGTH} characters.")
    personal_inputs = personal_words(email, display_name)
    # zxcvbn ranks a word given twice by its last place: each word once, the person's first.
    known = list(dict.fromkeys([*personal_inputs, *PLATFORM_WORDS]))
    with _scoring:
        result = zxcvbn(password[:SCORED_LENGTH], user_inputs=known)
    if result["score"] >= min_score:
        return
    personal = any(
        match.get("dictionary_name") == "user_inputs" and match.get("matched_word") in personal_inputs
        for match in result["sequence"]
    )
    feedback = result["feedback"]
    raise WeakPassword(_advice(feedback["warning"], feedback["suggestions"], personal))


async def check_new_password_async(password: str, *, email: str, display_name: str, min_score: int) -> None:
    """:func:`check_new_password` in a worker thread (scoring a long password takes tens of ms)."""
    await asyncio.to_thread(
        check_new_password, password, email=email, display_name=display_name, min_score=min_score
    )
