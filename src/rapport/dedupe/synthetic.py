"""A labelled set of customer records with known duplicates, to measure precision and recall. No Django.

People come from six cultures (Malay, Indonesian, Polish, Persian, Hebrew, English). About one in five is
entered again, the way duplicates arise at a front desk: a typo, first and last name swapped, the name
typed in another script (Persian, Hebrew or Cyrillic vs Latin), the phone written another way
("+60 12-345 6789" vs "012-345 6789"), the e-mail in other case or without its dots, fields left out.
Hard negatives come along: household members sharing a surname, an address and the home phone, and
namesakes (the name lists are short enough that common names recur).
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from rapport.dedupe import names as N
from rapport.dedupe.features import email_key, iso_date, latin

Name = N.Name


@dataclass(frozen=True)
class Culture:
    code: str
    country: str
    calling_code: str
    trunk: str  # the national prefix: "0" in Malaysia, none in Poland
    weight: float
    male: list[Name]
    female: list[Name]
    surnames: list[Name] | None  # None: Malay patronymics ("bin Ismail")
    domains: tuple[str, ...]
    cities: tuple[tuple[str, str], ...]  # (city, postal code prefix)
    streets: tuple[str, ...]
    street_format: str  # "{n}" house number, "{s}" street
    mobile: Callable[[random.Random], str]  # a national significant number
    postcode: Callable[[random.Random, str], str]
    idd: str = "00"  # the prefix for calling abroad; "" where phonenumbers does not know the local one


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


CULTURES = (
    Culture(
        "malay", "MY", "60", "0", 0.2, N.MALAY_MALE, N.MALAY_FEMALE, None,
        ("gmail.com", "yahoo.com", "hotmail.com", "tm.net.my"),
        (("Kuala Lumpur", "50"), ("Shah Alam", "40"), ("Johor Bahru", "80"), ("Penang", "10"), ("Ipoh", "30")),
        ("Jalan Ampang", "Jalan Tun Razak", "Jalan Bukit Bintang", "Lorong Maarof", "Jalan Sultan Ismail",
         "Taman Melawati", "Jalan Gasing", "Jalan Klang Lama"),
        "{n}, {s}", lambda r: "1" + r.choice("0234679") + _digits(r, 7), lambda r, p: p + _digits(r, 3),
    ),
    Culture(
        "indonesian", "ID", "62", "0", 0.16, N.INDONESIAN_MALE, N.INDONESIAN_FEMALE, N.INDONESIAN_SURNAMES,
        ("gmail.com", "yahoo.co.id", "outlook.com"),
        (("Jakarta", "10"), ("Bandung", "40"), ("Surabaya", "60"), ("Medan", "20"), ("Yogyakarta", "55")),
        ("Jalan Sudirman", "Jalan Thamrin", "Jalan Gatot Subroto", "Jalan Diponegoro", "Jalan Malioboro",
         "Jalan Asia Afrika"),
        "{s} No. {n}", lambda r: "8" + r.choice("1235789") + _digits(r, 8), lambda r, p: p + _digits(r, 3),
        idd="",
    ),
    Culture(
        "polish", "PL", "48", "", 0.17, N.POLISH_MALE, N.POLISH_FEMALE, N.POLISH_SURNAMES,
        ("gmail.com", "wp.pl", "onet.pl", "o2.pl", "interia.pl"),
        (("Warszawa", "0"), ("Kraków", "3"), ("Łódź", "9"), ("Wrocław", "5"), ("Gdańsk", "8")),
        ("ulica Marszałkowska", "ulica Długa", "ulica Piotrkowska", "ulica Floriańska", "aleja Róż",
         "ulica Mickiewicza"),
        "{s} {n}", lambda r: r.choice("5678") + _digits(r, 8),
        lambda r, p: f"{p}{_digits(r, 1)}-{_digits(r, 3)}",
    ),
    Culture(
        "persian", "IR", "98", "0", 0.16, N.PERSIAN_MALE, N.PERSIAN_FEMALE, N.PERSIAN_SURNAMES,
        ("gmail.com", "yahoo.com", "chmail.ir"),
        (("Tehran", "1"), ("Isfahan", "8"), ("Shiraz", "7"), ("Tabriz", "5"), ("Mashhad", "9")),
        ("Khiaban Valiasr", "Khiaban Enghelab", "Khiaban Azadi", "Khiaban Shariati", "Khiaban Ferdowsi"),
        "{s} {n}", lambda r: "9" + r.choice("0123") + _digits(r, 8), lambda r, p: p + _digits(r, 9),
    ),
    Culture(
        "hebrew", "IL", "972", "0", 0.15, N.HEBREW_MALE, N.HEBREW_FEMALE, N.HEBREW_SURNAMES,
        ("gmail.com", "walla.co.il", "012.net.il"),
        (("Tel Aviv", "6"), ("Jerusalem", "9"), ("Haifa", "3"), ("Beer Sheva", "8"), ("Netanya", "4")),
        ("Rehov Herzl", "Rehov Dizengoff", "Rehov Jabotinsky", "Rehov Ben Yehuda", "Rehov Allenby"),
        "{s} {n}", lambda r: "5" + r.choice("02345") + _digits(r, 7), lambda r, p: p + _digits(r, 6),
    ),
    Culture(
        "english", "GB", "44", "0", 0.16, N.ENGLISH_MALE, N.ENGLISH_FEMALE, N.ENGLISH_SURNAMES,
        ("gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk"),
        (("London", "SW"), ("Manchester", "M"), ("Leeds", "LS"), ("Bristol", "BS"), ("Glasgow", "G")),
        ("High Street", "Station Road", "Church Street", "Victoria Road", "Park Avenue", "Mill Lane"),
        "{n} {s}", lambda r: "7" + _digits(r, 9),
        lambda r, p: f"{p}{r.randint(1, 20)} {_digits(r, 1)}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        f"{r.choice('ABDEFGHJLNPQRSTUWXYZ')}",
    ),
)
_SHORT_STREET = {"Jalan": "Jln", "Lorong": "Lrg", "Taman": "Tmn", "ulica": "ul.", "aleja": "al.",
                 "Street": "St", "Road": "Rd", "Avenue": "Ave", "Rehov": "Rh.", "Khiaban": "Kh."}
_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


@dataclass
class Person:
    culture: Culture
    first: Name
    last: Name
    birth_date: date | None
    email: str | None
    mobile: str | None  # national significant number
    home_phone: str | None
    address: tuple[str, str, str] | None  # line, city, postal code
    native: bool = False  # entered in the culture's other script


@dataclass
class LabelledSet:
    records: list[dict[str, Any]]
    person_of: dict[int, int]  # unique_id -> the person it stands for
    kinds: dict[int, str] = field(default_factory=dict)  # unique_id -> how a duplicate was made

    def true_pairs(self) -> set[tuple[int, int]]:
        by_person: dict[int, list[int]] = {}
        for uid, person in self.person_of.items():
            by_person.setdefault(person, []).append(uid)
        pairs = set()
        for ids in by_person.values():
            ids.sort()
            pairs |= {(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]}
        return pairs


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.emails: set[str] = set()

    # --- people ----------------------------------------------------------------------------------------
    def _surname(self, culture: Culture, female: bool) -> Name:
        if culture.surnames is None:
            father = self.rng.choice(culture.male)[0]
            return (("binti " if female else "bin ") + father, None)
        surname = self.rng.choice(culture.surnames)
        return N.feminine_polish(surname) if female and culture.code == "polish" else surname

    def _email(self, first: str, last: str, culture: Culture) -> str:
        surname = latin(last).removeprefix("binti ").removeprefix("bin ")
        f, l_ = latin(first).replace(" ", ""), surname.replace(" ", "")
        pattern = self.rng.choice(("{f}.{l}", "{f}{l}", "{f}_{l}", "{i}.{l}", "{f}.{l}{y}", "{l}.{f}", "{f}{y}"))
        local = pattern.format(f=f, l=l_, i=f[:1], y=self.rng.randint(1, 99))
        address = f"{local}@{self.rng.choice(culture.domains)}"
        while email_key(address) in self.emails:  # one mailbox, one person
            address = f"{local}{self.rng.randint(1, 999)}@{self.rng.choice(culture.domains)}"
        self.emails.add(email_key(address))
        return address

    def _address(self, culture: Culture) -> tuple[str, str, str]:
        city, prefix = self.rng.choice(culture.cities)
        line = culture.street_format.format(n=self.rng.randint(1, 250), s=self.rng.choice(culture.streets))
        return line, city, culture.postcode(self.rng, prefix)

    def _birth_date(self) -> date:
        return date(1945, 1, 1) + timedelta(days=self.rng.randint(0, 60 * 365))

    def person(self) -> Person:
        rng = self.rng
        culture = rng.choices(CULTURES, weights=[c.weight for c in CULTURES])[0]
        female = rng.random() < 0.5
        first = rng.choice(culture.female if female else culture.male)
        last = self._surname(culture, female)
        native = first[1] is not None and culture.code in ("persian", "hebrew") and rng.random() < 0.15
        return Person(
            culture=culture, first=first, last=last,
            birth_date=self._birth_date() if rng.random() < 0.65 else None,
            email=self._email(first[0], last[0], culture) if rng.random() < 0.85 else None,
            mobile=culture.mobile(rng) if rng.random() < 0.85 else None,
            home_phone=None,
            address=self._address(culture) if rng.random() < 0.6 else None,
            native=native,
        )

    def household_member(self, person: Person) -> Person:
        """Someone else at the same address with the same surname and home phone: not a duplicate."""
        rng, culture = self.rng, person.culture
        female = rng.random() < 0.5
        first = rng.choice(culture.female if female else culture.male)
        while first == person.first:
            first = rng.choice(culture.female if female else culture.male)
        last = person.last
        if culture.code == "polish":
            masculine = next((s for s in N.POLISH_SURNAMES if N.feminine_polish(s) == last or s == last), last)
            last = N.feminine_polish(masculine) if female else masculine
        elif culture.surnames is None:  # a spouse or child has another father's name; keep it a hard case
            last = (("binti " if female else "bin ") + person.last[0].split(" ", 1)[1], None)
        home = person.home_phone or culture.mobile(rng)
        person.home_phone = home
        return Person(
            culture=culture, first=first, last=last, birth_date=self._birth_date(),
            email=self._email(first[0], last[0], culture) if rng.random() < 0.5 else None,
            mobile=culture.mobile(rng) if rng.random() < 0.5 else None, home_phone=home,
            address=person.address or self._address(culture), native=person.native,
        )

    # --- how a record is written ------------------------------------------------------------------------
    def phone_text(self, culture: Culture, nsn: str, country_known: bool) -> str:
        rng = self.rng
        groups = " ".join(nsn[i:i + 3] for i in range(0, len(nsn), 3)) if rng.random() < 0.5 else (
            f"{nsn[:2]}-{nsn[2:5]} {nsn[5:]}")
        styles = ["+{cc} {g}", "+{cc}{n}"]
        if country_known and culture.idd:  # "00" means "abroad" only where the country is known
            styles.append(culture.idd + "{cc}{n}")
        if country_known or culture.country == "MY":  # the default region reads national numbers
            styles += ["{t}{g}", "{t}{n}", "{t}{n}"]
        return rng.choice(styles).format(cc=culture.calling_code, g=groups, n=nsn, t=culture.trunk)

    def record(self, person: Person, *, drop: frozenset[str] = frozenset(), country_known: bool = True,
               native: bool | None = None) -> dict[str, Any]:
        native = person.native if native is None else native
        first = person.first[1] if native and person.first[1] else person.first[0]
        last = person.last[1] if native and person.last[1] else person.last[0]
        phones = [p for p in (person.mobile, person.home_phone) if p and "phone" not in drop]
        line, city, postcode = person.address if person.address and "address" not in drop else ("", "", "")
        return {
            "first_name": first, "last_name": last,
            "emails": [person.email] if person.email and "email" not in drop else [],
            "phones": [self.phone_text(person.culture, p, country_known) for p in phones],
            "birth_date": person.birth_date.isoformat() if person.birth_date and "dob" not in drop else None,
            "country": person.culture.country if country_known else "",
            "city": city, "postal_code": postcode, "address_line": line,
        }

    # --- how a duplicate differs ------------------------------------------------------------------------
    def typo(self, text: str) -> str:
        rng = self.rng
        if len(text) < 4:
            return text + rng.choice(_KEYBOARD)
        i = rng.randint(1, len(text) - 2)
        kind = rng.choice(("delete", "insert", "replace", "swap"))
        if kind == "delete":
            return text[:i] + text[i + 1:]
        if kind == "insert":
            return text[:i] + rng.choice(_KEYBOARD) + text[i:]
        if kind == "replace":
            return text[:i] + rng.choice(_KEYBOARD) + text[i + 1:]
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]

    def duplicate(self, person: Person) -> tuple[dict[str, Any], str]:
        rng = self.rng
        kinds: list[str] = []
        fields = [f for f, present in (("email", person.email), ("phone", person.mobile or person.home_phone),
                                       ("dob", person.birth_date), ("address", person.address)) if present]
        drop = {f for f in fields if rng.random() < 0.3}
        if len(drop) == len(fields) and fields:
            drop.discard(rng.choice(fields))  # someone with nothing but a name cannot be told apart
        country_known = rng.random() < 0.8
        can_switch_script = person.first[1] is not None and person.culture.code in ("persian", "hebrew", "polish")
        roll = rng.random()
        native = person.native
        if can_switch_script and roll < 0.3:
            native = not native
            kinds.append("script")
        record = self.record(person, drop=frozenset(drop), country_known=country_known, native=native)
        if roll >= 0.3 and rng.random() < 0.35:
            target = rng.choice(("first_name", "last_name"))
            record[target] = self.typo(record[target])
            kinds.append("typo")
        if rng.random() < 0.15:
            record["first_name"], record["last_name"] = record["last_name"], record["first_name"]
            kinds.append("swap")
        if record["emails"] and rng.random() < 0.4:
            local, _, domain = record["emails"][0].partition("@")
            if rng.random() < 0.5 or domain != "gmail.com":  # only Gmail ignores the dots
                record["emails"] = [f"{local.title()}@{domain.title()}"]
                kinds.append("email_case")
            else:
                record["emails"] = [(local.replace(".", "") if "." in local else local[:2] + "." + local[2:]) + "@"
                                    + domain]
                kinds.append("email_dots")
        if record["birth_date"] and rng.random() < 0.15:
            y, m, d = record["birth_date"].split("-")
            if int(d) <= 12 and d != m:
                record["birth_date"] = f"{y}-{d}-{m}"
                kinds.append("dob_swapped")
            elif d[0] in "12":  # one digit of the day mistyped (kept only if still a date)
                typed = f"{y}-{m}-{int(d[0]) % 2 + 1}{d[1]}"
                if iso_date(typed):
                    record["birth_date"] = typed
                    kinds.append("dob_typo")
        if record["address_line"] and rng.random() < 0.3:
            for full, short in _SHORT_STREET.items():
                record["address_line"] = record["address_line"].replace(full, short)
            kinds.append("street_short")
        kinds += [f"no_{f}" for f in sorted(drop)]
        if not country_known:
            kinds.append("no_country")
        return record, "+".join(kinds) or "copy"


def generate(n: int = 10_000, *, seed: int = 1, duplicate_rate: float = 0.2, household_rate: float = 0.08
             ) -> LabelledSet:
    """About ``n`` records: people, their duplicates and their household members, in shuffled order."""
    gen = _Generator(seed)
    rng = gen.rng
    written: list[tuple[dict[str, Any], int, str]] = []
    person_id = 0
    while len(written) < n:
        person = gen.person()
        person_id += 1
        people = [(person, person_id)]
        if rng.random() < household_rate:
            person_id += 1
            people.append((gen.household_member(person), person_id))
        for someone, pid in people:
            written.append((gen.record(someone), pid, "original"))
            if rng.random() < duplicate_rate:
                for _ in range(2 if rng.random() < 0.15 else 1):
                    record, kind = gen.duplicate(someone)
                    written.append((record, pid, kind))
    written = written[:n]
    rng.shuffle(written)
    records, person_of, kinds = [], {}, {}
    for uid, (record, pid, kind) in enumerate(written, start=1):
        records.append({"unique_id": uid, **record})
        person_of[uid] = pid
        kinds[uid] = kind
    return LabelledSet(records=records, person_of=person_of, kinds=kinds)
