"""Cell parsers: a raw cell (CSV text, or an XLSX number, date or boolean) to a typed value, or a reason.

Each parser is pure (no database) so that rows can be checked in a worker process while the main process
writes. A parser raises :class:`FieldError` with a message that names the value; the caller adds the field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from babel import Locale
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from rapport.core.money import currency_codes

# The six languages Rapport speaks: header synonyms, country, language and choice names in each of them.
LANGUAGES = ("en", "ms", "id", "pl", "fa", "he")


class FieldError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ParseOptions:
    """What parsing needs besides the cell: the default phone region and the zone of naive datetimes."""

    region: str = ""
    time_zone: str = ""

    @property
    def zone(self) -> tzinfo:
        return _zone(self.time_zone or settings.TIME_ZONE)


@cache
def _zone(name: str) -> tzinfo:
    return UTC if name == "UTC" else ZoneInfo(name)


# A parser gets the raw cell, the row's values parsed so far (the phone reads the country) and the options.
Parser = Callable[[Any, dict[str, Any], ParseOptions], Any]


def shown(value: Any) -> str:
    """The cell as a message quotes it: short, on one line."""
    text = str(value).replace("\n", " ").strip()
    return f'"{text[:60]}…"' if len(text) > 60 else f'"{text}"'


# Persian, Arabic-Indic and other decimal digits become ASCII before numbers, dates and phones are read.
_DIGITS = {
    cp: str(unicodedata.digit(chr(cp))) for base in (0x660, 0x6F0, 0x966, 0xFF10) for cp in range(base, base + 10)
}
_DIGITS.update({0x66B: ".", 0x66C: ","})  # Arabic decimal and thousands separators


def ascii_digits(text: str) -> str:
    return text.translate(_DIGITS) if not text.isascii() else text


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an XLSX id column holds 1001.0 for 1001
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def text(max_length: int) -> Parser:
    def parse(value: Any, row: dict[str, Any], options: ParseOptions) -> str:
        result = as_text(value)
        if len(result) > max_length:
            raise FieldError(_("%(value)s is longer than %(n)d characters") % {"value": shown(result), "n": max_length})
        return result

    return parse


# --- e-mail and phone ---------------------------------------------------------------------------------

_email_validator = EmailValidator()
# Plain addresses (nearly all of them) that Django's validator accepts too, checked in a third of its time;
# anything else (quoted parts, IP literals, international domains) goes through Django's validator.
_PLAIN_EMAIL = re.compile(
    r"^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def email(value: Any, row: dict[str, Any], options: ParseOptions) -> tuple[str, str]:
    """(the address as written, its normal form)."""
    result = as_text(value)
    if len(result) > 254:
        raise FieldError(_("%(value)s is not an e-mail address") % {"value": shown(result)})
    if not _PLAIN_EMAIL.match(result):
        try:
            _email_validator(result)
        except ValidationError:
            raise FieldError(_("%(value)s is not an e-mail address") % {"value": shown(result)}) from None
    return result, result.lower()


@lru_cache(maxsize=65_536)
def _phone(value: str, region: str) -> str | None:
    # ~20 µs a call: cached, since imports repeat numbers (a family's landline, a company's switchboard).
    try:
        number = phonenumbers.parse(value, region or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone(value: Any, row: dict[str, Any], options: ParseOptions) -> tuple[str, str]:
    """(the number as written, its E.164 form); a national number is read in the row's country or the region.

    The written form is kept for people to read, as the services keep it; matching and search use E.164.
    """
    written = as_text(value)
    raw = ascii_digits(written)
    region = row.get("country") or options.region
    if len(raw) > 32 or not (e164 := _phone(raw, region)):
        if not raw.startswith(("+", "00")) and not region:
            raise FieldError(
                _("%(value)s is not a phone number (give it with its country code, e.g. +60, or give the country)")
                % {"value": shown(raw)}
            )
        raise FieldError(_("%(value)s is not a phone number") % {"value": shown(raw)})
    return written, e164


# --- dates and times ----------------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01, counting Excel's phantom 1900-02-29
_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_YMD = re.compile(r"^(\d{4})[./-](\d{1,2})[./-](\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,5}(\.\d+)?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?$")


def _serial(value: float) -> datetime:
    if not 1 <= value < 2_958_466:  # up to 9999-12-31
        raise ValueError(value)
    return datetime.combine(_EXCEL_EPOCH, time()) + timedelta(days=value)


def _date_text(text_value: str) -> date:
    try:
        return date.fromisoformat(text_value)  # the common case, in C
    except ValueError:
        pass
    if m := _DMY.match(text_value):
        return date(int(m[3]), int(m[2]), int(m[1]))
    if m := (_YMD.match(text_value) or _COMPACT.match(text_value)):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if _SERIAL.match(text_value):
        return _serial(float(text_value)).date()
    raise ValueError(text_value)


def _date_message(value: Any) -> str:
    return _("%(value)s is not a date (use e.g. 2024-03-31 or 31/03/2024)") % {"value": shown(value)}


def any_date(value: Any, row: dict[str, Any], options: ParseOptions) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _serial(float(value)).date()
        raw = ascii_digits(as_text(value))
        # A datetime written where a date is wanted: keep the day.
        return _date_text(raw.split("T")[0].split(" ")[0] if len(raw) > 10 else raw)
    except (ValueError, OverflowError):
        raise FieldError(_date_message(value)) from None


def birth_date(value: Any, row: dict[str, Any], options: ParseOptions) -> date:
    result = any_date(value, row, options)
    if not date(1900, 1, 1) <= result <= date.today():
        raise FieldError(_("%(value)s is not a plausible birth date") % {"value": shown(value)})
    return result


def any_datetime(value: Any, row: dict[str, Any], options: ParseOptions) -> datetime:
    """Aware datetime; one without a zone is read in the import's time zone (default: the server's)."""
    try:
        if isinstance(value, datetime):
            result = value
        elif isinstance(value, date):
            result = datetime.combine(value, time())
        elif isinstance(value, int | float) and not isinstance(value, bool):
            result = _serial(float(value))
        else:
            result = _datetime_text(ascii_digits(as_text(value)))
    except (ValueError, OverflowError):
        raise FieldError(
            _("%(value)s is not a date and time (use e.g. 2024-03-31 14:05 or 31/03/2024 14:05)")
            % {"value": shown(value)}
        ) from None
    if result.tzinfo is None:
        result = result.replace(tzinfo=options.zone)
    if not 1900 <= result.year <= 9998:
        raise FieldError(_("%(value)s is not a plausible date") % {"value": shown(value)})
    return result.astimezone(UTC)


def _datetime_text(raw: str) -> datetime:
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        pass
    day, _sep, clock = raw.replace("T", " ").partition(" ")
    result = datetime.combine(_date_text(day), time())
    clock = clock.strip()
    if clock:
        m = _CLOCK.match(clock)
        if not m:
            raise ValueError(raw)
        micro = int((m[4] or "0").ljust(6, "0"))
        result = result.replace(hour=int(m[1]), minute=int(m[2]), second=int(m[3] or 0), microsecond=micro)
    return result


# --- numbers and money --------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
AMOUNT_LIMIT = Decimal("1e12")  # the money columns hold 14 digits, 2 of them after the point


def decimal_value(value: Any) -> Decimal:
    """A number written the way people write them: "1 234,50", "1,234.50", "1.234,50", "1234.5", "12"."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest text that reads back as this float: 12.5, not 12.4999...
    if isinstance(value, Decimal):
        return value
    raw = _SPACES.sub("", ascii_digits(as_text(value)))
    if not _PLAIN_NUMBER.match(raw):
        comma, dot = raw.rfind(","), raw.rfind(".")
        if comma >= 0 and dot >= 0:  # both: the last one is the decimal mark
            thousands, mark = (".", ",") if comma > dot else (",", ".")
            raw = raw.replace(thousands, "").replace(mark, ".")
        elif comma >= 0:
            head, _sep, tail = raw.rpartition(",")
            # "1,234" and "1,234,567" group thousands; "12,5" and "0,75" use a decimal comma.
            raw = raw.replace(",", "") if raw.count(",") > 1 or len(tail) == 3 else f"{head}.{tail}"
        elif raw.count(".") > 1:
            raw = raw.replace(".", "")  # "1.234.567"
        if not _PLAIN_NUMBER.match(raw):
            raise ValueError(value)
    result = Decimal(raw)
    if not result.is_finite():
        raise ValueError(value)
    return result


def amount(value: Any, row: dict[str, Any], options: ParseOptions) -> Decimal:
    try:
        result = decimal_value(value)
    except (ValueError, InvalidOperation):
        message = _("%(value)s is not an amount (use e.g. 1234.50 or 1 234,50)") % {"value": shown(value)}
        raise FieldError(message) from None
    if result < 0:
        raise FieldError(_("%(value)s is negative") % {"value": shown(value)})
    if result >= AMOUNT_LIMIT:
        raise FieldError(_("%(value)s is too large") % {"value": shown(value)})
    if result != result.quantize(Decimal("0.01")):
        raise FieldError(_("%(value)s has more than two decimal places") % {"value": shown(value)})
    return result.quantize(Decimal("0.01"))


def quantity(value: Any, row: dict[str, Any], options: ParseOptions) -> Decimal:
    try:
        result = decimal_value(value)
    except (ValueError, InvalidOperation):
        raise FieldError(_("%(value)s is not a number") % {"value": shown(value)}) from None
    if result <= 0 or result >= Decimal("1e9"):
        raise FieldError(_("%(value)s is not a positive quantity") % {"value": shown(value)})
    if result != result.quantize(Decimal("0.001")):
        raise FieldError(_("%(value)s has more than three decimal places") % {"value": shown(value)})
    return result.quantize(Decimal("0.001"))


def currency(value: Any, row: dict[str, Any], options: ParseOptions) -> str:
    code = as_text(value).upper()
    if code not in currency_codes():
        raise FieldError(_("%(value)s is not an ISO 4217 currency code (e.g. MYR, EUR)") % {"value": shown(value)})
    return code


# --- names in six languages: countries, languages, choices, booleans --------------------------------------

# Arabic letter forms that Persian text is often typed with (yeh, kaf, teh marbuta, alef with hamza or madda)
# read as the Persian ones.
_ARABIC_VARIANTS = str.maketrans({
    "\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9", "\u0629": "\u0647", "\u06c0": "\u0647",
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627",
})
_LETTERS = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"})


@lru_cache(maxsize=16_384)
def normalise(value: str) -> str:
    """Lower case, no diacritics, no punctuation or spaces: "Adres e-mail" and "adres EMAIL" are one key.

    Persian written with Arabic letter forms (ي, ك) reads as Persian; the zero-width non-joiner goes.
    """
    folded = unicodedata.normalize("NFKD", value.translate(_LETTERS).translate(_ARABIC_VARIANTS)).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


@cache
def _countries() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(normalise(name), code)
    for code in list(names.values()):
        names[code.lower()] = code
    names.update({"uk": "GB", "usa": "US", "unitedstatesofamerica": "US", "england": "GB"})
    return names


def country(value: Any, row: dict[str, Any], options: ParseOptions) -> str:
    """An ISO 3166 alpha-2 code, from the code or the country's name in any of the six languages."""
    raw = as_text(value)
    code = _countries().get(normalise(raw)) if raw else None
    if code is None:
        raise FieldError(_("%(value)s is not a country (use a two-letter code such as MY, or its name)")
                         % {"value": shown(value)})
    return code


@cache
def _languages() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in LANGUAGES:
        locale = Locale.parse(language)
        for code, name in locale.languages.items():
            if len(code) in (2, 3) and code.isalpha():
                names.setdefault(normalise(name), code)
        names.setdefault(normalise(locale.get_display_name(language) or ""), language)
    for code, name in settings.LANGUAGES:  # "Bahasa Melayu", "Bahasa Indonesia", as the language menu says
        names.setdefault(normalise(name), code)
    for code in list(names.values()):
        names[code] = code
    return names


def language(value: Any, row: dict[str, Any], options: ParseOptions) -> str:
    """A language code (en, ms, pl, ...), from a code such as "pl" or "pl-PL" or a name such as "Polski"."""
    raw = as_text(value)
    coded = re.match(r"^[A-Za-z]{2,3}([-_]\w+)?$", raw)
    key = normalise(raw.replace("_", "-").split("-")[0]) if coded else normalise(raw)
    code = _languages().get(key)
    if code is None:
        raise FieldError(_("%(value)s is not a language (use a code such as en or ms, or its name)")
                         % {"value": shown(value)})
    return code


def choice(choices: Any, synonyms: dict[str, Iterable[str]] | None = None) -> Parser:
    """One of a TextChoices' values, given as the value or as its label in any of the six languages."""

    @cache
    def table() -> dict[str, str]:
        from django.utils import translation

        names: dict[str, str] = {}
        for value, label in choices.choices:
            names[normalise(value)] = value
            for language_code in LANGUAGES:
                with translation.override(language_code):
                    names.setdefault(normalise(str(label)), value)
        for value, words in (synonyms or {}).items():
            for word in words:
                names.setdefault(normalise(word), value)
        return names

    def parse(value: Any, row: dict[str, Any], options: ParseOptions) -> str:
        result = table().get(normalise(as_text(value)))
        if result is None:
            allowed = ", ".join(str(v) for v in choices.values)
            raise FieldError(_("%(value)s is not one of: %(allowed)s") % {"value": shown(value), "allowed": allowed})
        return result

    return parse


_TRUE = {"true", "yes", "y", "1", "t", "x", "ya", "benar", "بله", "آری", "درست", "כן", "נכון"}
# Not "tak": it is "yes" in Polish and "no" in Malay, so it is reported rather than guessed.
_FALSE = {"false", "no", "n", "0", "f", "nie", "tidak", "bukan", "salah", "خیر", "نه", "نادرست", "לא"}
_TRUE_KEYS = frozenset(normalise(w) for w in _TRUE)
_FALSE_KEYS = frozenset(normalise(w) for w in _FALSE)


def boolean(value: Any, row: dict[str, Any], options: ParseOptions) -> bool:
    if isinstance(value, bool):
        return value
    key = normalise(as_text(value))
    if key in _TRUE_KEYS:
        return True
    if key in _FALSE_KEYS:
        return False
    raise FieldError(_("%(value)s is not yes or no") % {"value": shown(value)})


_TAG_SPLIT = re.compile(r"[,;|]")


def tags(value: Any, row: dict[str, Any], options: ParseOptions) -> tuple[str, ...]:
    """Tag names separated by commas, semicolons or bars."""
    names = [name.strip() for name in _TAG_SPLIT.split(as_text(value))]
    too_long = [name for name in names if len(name) > 64]
    if too_long:
        raise FieldError(_("the tag %(value)s is longer than 64 characters") % {"value": shown(too_long[0])})
    return tuple(dict.fromkeys(name for name in names if name))
