"""What the matcher compares: names in Latin letters and as a sound skeleton, E.164 phones, e-mail keys.

Pure Python (no Django): the engine, the quality tests and the create-time check all derive the same
features from the same record, so a pair scores the same in a nightly run and in the warning on a form.

Names cross scripts through ``anyascii`` (ISC licence): Cyrillic, Hebrew and Arabic/Persian letters become
Latin ones. Hebrew and Persian are written without most vowels, and the same sound has several Latin
spellings (Polish "sz", Russian "ш" -> "sh"), so the *skeleton* keeps only consonant classes in the
manner of Soundex: vowels, h, w/v, j/y dropped, similar consonants folded, repeats collapsed.
"Rezaei", "رضایی", "Kowalska" and "Ковальская" each get the same skeleton as their other spelling.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import phonenumbers
from anyascii import anyascii

# Letters read the Persian way (anyascii follows Arabic: ض -> d, ث -> th). Alef and ayin carry a vowel:
# at the start of a name they mark it ("Ali" = علی, "Omer" = עומר), so they become "a".
_SCRIPT_READINGS = str.maketrans({
    "ض": "z", "ظ": "z", "ذ": "z", "ث": "s", "ص": "s", "ط": "t", "ع": "a", "ا": "a", "ء": "", "أ": "a",  # noqa: RUF001
    "إ": "e", "א": "a", "ע": "a",
})
_ABJADS = re.compile(r"[\u0590-\u05ff\u0600-\u06ff]")
_NOT_LETTERS = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
# Polish rz (= ż, Cyrillic ж) and cz/sz; Russian and Hebrew ts/tz (= Polish c). Not for Hebrew or Persian
# text, where r and z meet because the vowel between them is not written (رضا = Reza).
_DIGRAPHS = (("tz", "c"), ("ts", "c"), ("ph", "f"), ("th", "t"), ("ck", "k"))
_LATIN_DIGRAPHS = (("rz", "z"), *_DIGRAPHS)
# One code per consonant class, as in Soundex. Dropped: vowels, and the letters that stand for a vowel or
# are read two ways across these scripts (h; w/v and b, since Hebrew ב is b or v and Polish w is Russian в;
# j and y, since Polish j is Russian й).
_CLASSES = str.maketrans({
    "f": "1", "p": "1",
    "c": "2", "g": "2", "k": "2", "q": "2", "s": "2", "x": "2", "z": "2",
    "d": "3", "t": "3", "l": "4", "m": "5", "n": "5", "r": "6",
    "a": "", "e": "", "i": "", "o": "", "u": "", "y": "", "h": "", "w": "", "v": "", "b": "", "j": "",
})
_VOWELS = frozenset("aeiou")
_REPEATS = re.compile(r"(.)\1+")
_NON_DIGITS = re.compile(r"\D+")
_POSTCODE_NOISE = re.compile(r"[\s-]+")


@lru_cache(maxsize=65_536)
def latin(text: str) -> str:
    """Lower-case Latin letters and single spaces: "Zieliński" -> "zielinski", "Анна" -> "anna"."""
    if not text:
        return ""
    ascii_text = anyascii(unicodedata.normalize("NFC", text).translate(_SCRIPT_READINGS)).lower()
    ascii_text = ascii_text.replace("-", " ")
    return _SPACES.sub(" ", _NOT_LETTERS.sub("", ascii_text)).strip()


# Malay patronymic particles: "Ahmad bin Ismail" is also written "Ahmad Ismail".
_PARTICLES = frozenset({"bin", "binti", "bte", "bt"})


def person_name(text: str) -> str:
    """A name part in Latin letters, without patronymic particles."""
    return " ".join(w for w in latin(text).split(" ") if w not in _PARTICLES)


@lru_cache(maxsize=65_536)
def skeleton(text: str) -> str:
    """The consonant-class skeleton of a name (see the module docstring); "0" first if it starts with a vowel."""
    word = person_name(text).replace(" ", "")
    if not word:
        return ""
    for old, new in _DIGRAPHS if _ABJADS.search(text) else _LATIN_DIGRAPHS:
        word = word.replace(old, new)
    code = _REPEATS.sub(r"\1", word.translate(_CLASSES))
    return ("0" + code) if word[0] in _VOWELS else code


_NOT_ALNUM = re.compile(r"[^a-z0-9 ]+")
# Street words written in full or short: compared short.
_STREET_WORDS = {
    "jalan": "jln", "jl": "jln", "lorong": "lrg", "taman": "tmn", "street": "st", "road": "rd", "avenue": "ave",
    "ulica": "ul", "aleja": "al", "osiedle": "os", "rehov": "rh", "khiaban": "kh",
}


def address_text(text: str) -> str:
    """An address line in lower-case Latin with its numbers, street words shortened: "Jalan 12" = "jln 12"."""
    if not text:
        return ""
    ascii_text = anyascii(unicodedata.normalize("NFC", text).translate(_SCRIPT_READINGS)).lower()
    words = _NOT_ALNUM.sub(" ", ascii_text).split()
    return " ".join(_STREET_WORDS.get(w, w) for w in words)


# Providers that deliver "a.b@" and "ab@" to the same mailbox. Elsewhere the dots make another address.
_DOTLESS_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def email_key(email: str) -> str:
    """The mailbox: without a +tag, and without dots in the local part where the provider ignores them."""
    local, _, domain = email.partition("@")
    local = local.split("+", 1)[0]
    return (local.replace(".", "") if domain in _DOTLESS_DOMAINS else local) + "@" + domain


def script_of(text: str) -> str:
    """The first non-Latin script in ``text`` (hebrew, arabic, cyrillic, other), or latin."""
    for ch in text:
        if ord(ch) < 0x250:
            continue
        if "\u0590" <= ch <= "\u05ff":
            return "hebrew"
        if "\u0600" <= ch <= "\u06ff":
            return "arabic"
        if "\u0400" <= ch <= "\u04ff":
            return "cyrillic"
        if ch.isalpha():
            return "other"
    return "latin"


@lru_cache(maxsize=65_536)
def e164(raw: str, region: str) -> str:
    """``raw`` in E.164 when it parses for ``region`` (or has a +); otherwise its digits."""
    raw = raw.strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = _NON_DIGITS.sub("", raw)
    return ("+" + digits) if raw.startswith("+") else digits


def phone_variants(raw: str, region: str) -> list[str]:
    """The ways a number may have been stored in ``ContactPoint.normalized`` (digits, with or without +)."""
    full = e164(raw, region)
    variants = {full, full.lstrip("+")}
    try:
        number = phonenumbers.parse(full if full.startswith("+") else raw, region or None)
        national = str(number.national_number)
        country = phonenumbers.region_code_for_country_code(number.country_code or 0)
        prefix = phonenumbers.ndd_prefix_for_region(country, True)
        variants |= {national, (prefix or "") + national}
    except phonenumbers.NumberParseException:
        pass
    return sorted(v for v in variants if len(v.lstrip("+")) >= 5)


def iso_date(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()[:10]
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _clean(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(v) for v in value if v is not None and str(v).strip()]


def features(record: Mapping[str, Any], *, default_region: str = "") -> dict[str, Any]:
    """The columns the comparisons read, from one customer record.

    ``record`` has ``unique_id`` and any of: first_name, last_name, organisation_name, emails (primary
    first), phones (primary first), country, city, postal_code, address_line, birth_date. An organisation's
    name is compared as a surname. Missing values are None so that the comparisons see them as missing.
    """
    raw_first, raw_last = _clean(record.get("first_name")), _clean(record.get("last_name"))
    if not latin(raw_first) and not latin(raw_last):
        raw_last = _clean(record.get("organisation_name"))
    first, last = person_name(raw_first), person_name(raw_last)
    # From the original text: the skeleton reads Hebrew and Persian letters differently from Latin ones.
    fn_sk, ln_sk = skeleton(raw_first), skeleton(raw_last)
    emails = list(dict.fromkeys(e.strip().lower() for e in _list(record.get("emails"))))
    region = _clean(record.get("country")).upper() or default_region
    phones = [p for p in dict.fromkeys(e164(p, region) for p in _list(record.get("phones"))) if p]
    primary_email = emails[0] if emails else None
    local, _, domain = (primary_email or "").partition("@")
    postcode = _POSTCODE_NOISE.sub("", _clean(record.get("postal_code"))).upper()
    return {
        "unique_id": int(record["unique_id"]),
        "fn": first,
        "ln": last,
        "full": (first + " " + last).strip() or None,
        "fn_sk": fn_sk,
        "ln_sk": ln_sk,
        # Order-free, so a swapped first and last name blocks together.
        "name_key": " ".join(sorted(p for p in (fn_sk, ln_sk) if p)) or None,
        "script": script_of(raw_first + raw_last),
        "email": primary_email,
        "email_local": local or None,
        "email_domain": domain or None,
        "emails": emails,
        "email_keys": list(dict.fromkeys(email_key(e) for e in emails)),
        "phone": phones[0] if phones else None,
        "phones": phones,
        "dob": iso_date(record.get("birth_date")),
        "postcode": postcode or None,
        "city": latin(_clean(record.get("city"))) or None,
        "line": address_text(_clean(record.get("address_line"))) or None,
    }


def features_of(records: Iterable[Mapping[str, Any]], *, default_region: str = "") -> list[dict[str, Any]]:
    return [features(r, default_region=default_region) for r in records]
