"""Normalised search keys, written with each order and applied to search input alike."""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not decompose into a base letter and a mark.
_FOLD_EXTRA = str.maketrans(
    {"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_NON_WORD = re.compile(r"[^0-9a-z]+")
_NON_ALNUM = re.compile(r"[^0-9a-z]")
_NON_DIGIT = re.compile(r"\D")

# Country calling codes of the countries csdesk sells in, longest first.
CALLING_CODES: dict[str, str] = {
    "GB": "44",
    "DE": "49",
    "US": "1",
    "CA": "1",
    "FR": "33",
    "ES": "34",
    "IT": "39",
    "IE": "353",
    "NL": "31",
    "AT": "43",
    "CH": "41",
    "BE": "32",
}
_CODES_LONGEST_FIRST = sorted(set(CALLING_CODES.values()), key=len, reverse=True)


def fold(text: str) -> str:
    """Lower case without accents: "Jürgen Müller" → "jurgen muller", "O'Brien" → "o'brien"."""
    if text.isascii():  # nothing to decompose (the intake folds every name and address)
        return text.lower()
    text = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD_EXTRA))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Folded words, punctuation removed: "O'Brien-Smith" → ["obrien", "smith"]."""
    return [w for w in _NON_WORD.split(fold(text).replace("'", "").replace("’", "")) if w]


def name_key(*names: str | None) -> str:
    """Space-separated folded words of the given names, wrapped in spaces for word search."""
    seen: list[str] = []
    for name in names:
        for w in words(name or ""):
            if w not in seen:
                seen.append(w)
    return " " + " ".join(seen) + " "


def text_key(*parts: str | None) -> str:
    """Folded text of address lines for substring search, parts separated by " | "."""
    return " | ".join(fold(p) for p in parts if p)


def postal_key(code: str) -> str:
    """ "SW1A 1AA" → "sw1a1aa"; "10115" → "10115"; "94107-1234" → "941071234"."""
    return _NON_ALNUM.sub("", fold(code))


def email_key(email: str) -> str:
    return email.strip().casefold()


def reference_key(reference: str) -> str:
    return reference.strip().casefold()


def phone_key(phone: str | None, country: str | None = None) -> str | None:
    """The national significant number: digits without the country code or trunk zero.

    "+44 7700 900123" and "07700 900123" both give "7700900123".
    """
    if not phone:
        return None
    digits = _NON_DIGIT.sub("", phone)
    international = phone.strip().startswith("+") or digits.startswith("00")
    if digits.startswith("00"):
        digits = digits[2:]
    if international:
        for code in _CODES_LONGEST_FIRST:
            if digits.startswith(code):
                digits = digits[len(code) :]
                break
    elif CALLING_CODES.get(country or "") == "1" and len(digits) == 11 and digits[0] == "1":
        # North American numbers written with the leading 1 but no "+".
        digits = digits[1:]
    digits = digits.lstrip("0")
    return digits or None
