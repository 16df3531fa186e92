"""Demo and benchmark data: customers, purchases, interactions. Pure NumPy; no Django, no database.

Purchases follow the BG/NBD story (Fader, Hardie and Lee 2005), so that the analytics can later be checked
against the truth that made the data:

* each buying customer's first purchase ("birth") is uniform over the window;
* while alive, purchases come as a Poisson process with rate ``lambda ~ Gamma(shape r, rate alpha)`` per week;
* after each repeat purchase the customer drops out for good with probability ``p ~ Beta(a, b)``;
* everything is cut off at the window end.

Spend follows Gamma-Gamma (Fader, Hardie and Lee 2005b): ``nu ~ Gamma(shape q, rate gamma)`` per customer and
each transaction's value ``z ~ Gamma(shape p, rate nu)`` in base units, shown in the customer's currency
with :data:`CURRENCY_SCALE`. Amounts are integer cents throughout: an order's total is the sum of its lines
exactly.

Nothing here loops per order: the repeat-purchase times of a whole chunk come from one draw. Given ``N``
Poisson events in ``(0, tau)``, their times are the order statistics of ``N`` uniforms, ``U(k) = S_k / S_(N+1)``
with ``S`` the running sum of unit exponentials; the first ``X = min(J, N)`` of them (``J`` the geometric
drop-out count) need only ``X`` exponentials plus one ``Gamma(N + 1 - X)`` for the rest of the sum.

:func:`generate` yields :class:`Chunk` objects of column arrays. Rows that point at a customer carry the
customer's index in the run (0 .. n-1); order lines carry the order's index within the chunk; the loader
turns both into database ids. Output is identical for the same ``seed`` and ``chunk_size``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

Frame = dict[str, np.ndarray]

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
US_PER_WEEK = 7 * US_PER_DAY
DEFAULT_CHUNK = 20_000
DEFAULT_WEEKS = 156  # a three-year window

# Choice values, spelled out because this module does not import Django; tests/ops checks them against the
# TextChoices of the apps (rapport.interactions.choices.Channel and friends).
INTERACTION_CHANNELS = (
    "email", "phone", "sms", "chat", "web", "social", "branch", "mail", "call_centre", "portal",
)
SALES_CHANNELS = np.array(["web", "app", "branch", "phone", "marketplace", "partner"])
SALES_CHANNEL_P = np.array([0.45, 0.20, 0.15, 0.05, 0.12, 0.03])
LIFECYCLE_STAGES = np.array(["prospect", "new", "active", "at_risk", "lapsed", "lost", "won_back"])

# Rough price levels: one base unit of spend in each currency (the truth's nu is in base units).
CURRENCY_SCALE = {"MYR": 1.0, "IDR": 3500.0, "PLN": 0.9, "IRR": 10000.0, "ILS": 0.8, "GBP": 0.17, "USD": 0.22}


@dataclass(frozen=True)
class PurchaseParams:
    """The true parameters; time in weeks. Defaults give about 10 orders per customer over 156 weeks."""

    r: float = 2.0  # purchase rate lambda ~ Gamma(shape r, rate alpha) per week: mean 0.25
    alpha: float = 8.0
    a: float = 1.8  # drop-out probability p ~ Beta(a, b) after each repeat purchase: mean 0.07
    b: float = 24.0
    p: float = 6.0  # transaction value z ~ Gamma(shape p, rate nu)
    q: float = 4.0  # nu ~ Gamma(shape q, rate gamma)
    gamma: float = 25.0
    prospect_share: float = 0.05  # customers who never buy
    organisation_share: float = 0.10
    interactions_mean: float = 10.0

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}


# --- Names and places -------------------------------------------------------------------------------------
# Hand-written, in each language's own script; Persian and Hebrew entries carry a Latin spelling after "|"
# for e-mail addresses. Malay surnames are patronymics ("bin"/"binti" + the father's name); Polish surnames
# come as male/female pairs ("Kowalski/Kowalska").


@dataclass(frozen=True)
class Locale:
    code: str
    weight: float
    countries: dict[str, float]  # country -> share
    male: str
    female: str
    last: str
    cities: dict[str, str]  # country -> cities, ";"-separated
    organisations: tuple[str, ...]  # patterns over {last} and {city}
    currency: dict[str, str] = field(default_factory=dict)


LOCALES: tuple[Locale, ...] = (
    Locale(
        "en", 0.20, {"GB": 0.6, "US": 0.4},
        "James Oliver William Jack Harry George Noah Michael David Daniel Thomas Samuel Benjamin Henry Ethan",
        "Olivia Amelia Emily Sophie Charlotte Jessica Grace Emma Isabella Chloe Lucy Hannah Mia Ava Ella",
        "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White "
        "Roberts Green Hall Wood Jackson Clarke Miller Davis Garcia Anderson Martin",
        {"GB": "London;Manchester;Birmingham;Leeds;Glasgow;Liverpool;Bristol;Edinburgh;Sheffield;Cardiff",
         "US": "New York;Los Angeles;Chicago;Houston;Phoenix;Philadelphia;San Diego;Dallas;Seattle;Boston"},
        ("{last} & Sons Ltd", "{last} Trading Ltd", "{city} Supplies Inc", "{last} Logistics LLC"),
        {"GB": "GBP", "US": "USD"},
    ),
    Locale(
        "ms", 0.20, {"MY": 1.0},
        "Ahmad Muhammad Mohd Hafiz Faizal Azlan Hakim Iskandar Razak Syafiq Amir Zulkifli Khairul Firdaus Rizal",
        "Nurul Siti Aisyah Farah Nur Aminah Zarina Sofea Hana Liyana Syafiqah Aida Nadia Mariam Fatimah",
        "Ismail Abdullah Hassan Ibrahim Rahman Yusof Osman Ali Hamid Aziz Salleh Razali Kassim Omar Jamal",
        {"MY": "Kuala Lumpur;George Town;Johor Bahru;Ipoh;Shah Alam;Petaling Jaya;Kota Kinabalu;Kuching;"
               "Melaka;Seremban;Alor Setar;Kuantan;Kota Bharu"},
        ("{last} Trading Sdn Bhd", "Syarikat {last} Enterprise", "{city} Maju Sdn Bhd"),
        {"MY": "MYR"},
    ),
    Locale(
        "id", 0.20, {"ID": 1.0},
        "Budi Agus Andi Dedi Eko Joko Rudi Hendra Bambang Wahyu Rizky Fajar Dimas Yoga Arief",
        "Sri Dewi Ayu Putri Indah Rina Wulan Lestari Ratna Fitri Intan Kartika Nabila Sari Yuni",
        "Santoso Wijaya Saputra Hidayat Pratama Kusuma Setiawan Gunawan Nugroho Susanto Halim Siregar "
        "Simanjuntak Hutapea Lubis Purnomo Suryadi Wibowo Rahayu Permana",
        {"ID": "Jakarta;Surabaya;Bandung;Medan;Semarang;Makassar;Palembang;Yogyakarta;Denpasar;Malang;Bogor;"
               "Tangerang;Bekasi;Depok;Balikpapan"},
        ("PT {last} Jaya", "CV {last} Makmur", "PT Sinar {city}"),
        {"ID": "IDR"},
    ),
    Locale(
        "pl", 0.15, {"PL": 1.0},
        "Jan Piotr Krzysztof Andrzej Tomasz Paweł Michał Marcin Łukasz Jakub Mateusz Kamil Wojciech Grzegorz Adam",
        "Anna Maria Katarzyna Małgorzata Agnieszka Barbara Ewa Magdalena Joanna Aleksandra Zofia Monika Natalia "
        "Julia Karolina",
        "Nowak/Nowak Kowalski/Kowalska Wiśniewski/Wiśniewska Wójcik/Wójcik Kowalczyk/Kowalczyk "
        "Kamiński/Kamińska Lewandowski/Lewandowska Zieliński/Zielińska Szymański/Szymańska Woźniak/Woźniak "
        "Dąbrowski/Dąbrowska Kozłowski/Kozłowska Jankowski/Jankowska Mazur/Mazur Kwiatkowski/Kwiatkowska "
        "Krawczyk/Krawczyk Piotrowski/Piotrowska Grabowski/Grabowska Nowakowski/Nowakowska Pawłowski/Pawłowska",
        {"PL": "Warszawa;Kraków;Łódź;Wrocław;Poznań;Gdańsk;Szczecin;Bydgoszcz;Lublin;Białystok;Katowice;"
               "Gdynia;Częstochowa;Radom;Toruń"},
        ("{last} Sp. z o.o.", "{last} i Wspólnicy", "Hurtownia {last}"),
        {"PL": "PLN"},
    ),
    Locale(
        "fa", 0.125, {"IR": 1.0},
        "محمد|Mohammad علی|Ali حسین|Hossein رضا|Reza مهدی|Mehdi امیر|Amir حمید|Hamid سعید|Saeed مجید|Majid "
        "بهرام|Bahram داریوش|Dariush کامران|Kamran پویا|Pouya آرش|Arash فرهاد|Farhad",
        "فاطمه|Fatemeh زهرا|Zahra مریم|Maryam سارا|Sara نرگس|Narges لیلا|Leila شیرین|Shirin مینا|Mina "
        "پریسا|Parisa نگار|Negar الهام|Elham آزاده|Azadeh سحر|Sahar رویا|Roya یاسمن|Yasaman",
        "محمدی|Mohammadi حسینی|Hosseini احمدی|Ahmadi رضایی|Rezaei موسوی|Mousavi کریمی|Karimi جعفری|Jafari "
        "صادقی|Sadeghi رحیمی|Rahimi کاظمی|Kazemi طاهری|Taheri نوری|Nouri قاسمی|Ghasemi هاشمی|Hashemi "
        "تهرانی|Tehrani شریفی|Sharifi عباسی|Abbasi نجفی|Najafi اکبری|Akbari زارعی|Zarei",
        {"IR": "تهران;مشهد;اصفهان;کرج;شیراز;تبریز;قم;اهواز;کرمانشاه;رشت;کرمان;یزد;همدان;ارومیه"},
        ("شرکت {last}", "گروه صنعتی {last}", "بازرگانی {last}"),
        {"IR": "IRR"},
    ),
    Locale(
        "he", 0.125, {"IL": 1.0},
        "יוסף|Yosef דוד|David משה|Moshe אברהם|Avraham יעקב|Yaakov איתי|Itai נועם|Noam אורי|Uri עומר|Omer "
        "אריאל|Ariel יונתן|Yonatan דניאל|Daniel איתן|Eitan אביב|Aviv רון|Ron",
        "שרה|Sarah רחל|Rachel מיכל|Michal נועה|Noa תמר|Tamar יעל|Yael מאיה|Maya שירה|Shira אביגיל|Avigail "
        "הדס|Hadas רוני|Roni ליאת|Liat אורית|Orit עדי|Adi טליה|Talia",
        "כהן|Cohen לוי|Levi מזרחי|Mizrahi פרץ|Peretz ביטון|Biton דהן|Dahan פרידמן|Friedman אזולאי|Azoulay "
        "מלכה|Malka כץ|Katz שפירא|Shapira גולן|Golan אוחיון|Ohayon חדד|Hadad גבאי|Gabay שלום|Shalom "
        "רוזנברג|Rosenberg ברק|Barak בן_דוד|BenDavid",
        {"IL": "תל אביב-יפו;ירושלים;חיפה;ראשון לציון;פתח תקווה;אשדוד;נתניה;באר שבע;חולון;בני ברק;רמת גן;"
               "רחובות;הרצליה;כפר סבא;אילת"},
        ("{last} בע״מ", "{last} שיווק והפצה", "קבוצת {last}"),
        {"IL": "ILS"},
    ),
)
LOCALE_CODES = tuple(loc.code for loc in LOCALES)

# Phone formats by country: the digits after the country code come from random numbers a, b, c.
_PHONE_FORMATS = {
    "MY": ("+60 1{a1}-{b3} {c4}", "+60"),
    "ID": ("+62 81{a1}-{b4}-{c4}", "+62"),
    "PL": ("+48 5{a2} {b3} {c3}", "+48"),
    "IR": ("+98 91{a1} {b3} {c4}", "+98"),
    "IL": ("+972 5{a1}-{b3}-{c4}", "+972"),
    "GB": ("+44 7{a3} {b3}{c3}", "+44"),
    "US": ("+1 {a3}-555-{c4}", "+1"),
}
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")

_ORDER_ITEMS = np.array([
    "Coffee beans 1 kg", "Green tea sampler", "Gift card", "Delivery", "Ceramic mug", "Travel bottle",
    "Notebook set", "Desk lamp", "Headphones", "Phone case", "Backpack", "Running shoes", "Rain jacket",
    "Scented candle", "Cookbook", "Olive oil 1 l", "Spice box", "Kitchen knife", "Bath towel", "Gift wrapping",
])
_INTERACTION_TEMPLATES: tuple[tuple[str, str, str, float, bool], ...] = (
    # channel, direction, subject, weight, handled by staff (the owner is recorded as the staff member)
    ("email", "outbound", "Thank you for your purchase", 8, False),
    ("email", "outbound", "Monthly newsletter", 10, False),
    ("email", "outbound", "We miss you: 10% off your next order", 3, False),
    ("email", "inbound", "Question about my order", 4, True),
    ("email", "inbound", "Change of delivery address", 2, True),
    ("phone", "inbound", "Called about a delivery", 4, True),
    ("phone", "inbound", "Asked about a refund", 2, True),
    ("phone", "outbound", "Follow-up call after purchase", 3, True),
    ("sms", "outbound", "Delivery notification", 8, False),
    ("sms", "outbound", "Promotion code sent", 3, False),
    ("chat", "inbound", "Chat: order status", 4, True),
    ("chat", "inbound", "Chat: payment problem", 1, True),
    ("web", "inbound", "Visited the offers page", 8, False),
    ("web", "inbound", "Filled in the contact form", 2, False),
    ("social", "inbound", "Mentioned us on social media", 2, False),
    ("social", "outbound", "Replied to a review", 1, True),
    ("branch", "inbound", "Visited the branch", 4, True),
    ("branch", "inbound", "Returned an item in store", 1, True),
    ("mail", "outbound", "Catalogue sent by post", 2, False),
    ("call_centre", "inbound", "Call centre: billing question", 2, True),
    ("call_centre", "outbound", "Call centre: satisfaction survey", 1, True),
    ("portal", "inbound", "Downloaded an invoice in the portal", 3, False),
    ("portal", "inbound", "Updated the profile in the portal", 2, False),
)
_TASK_TITLES = np.array([
    "Call back about the last order", "Send the new catalogue", "Renewal conversation",
    "Check satisfaction after delivery", "Prepare a loyalty offer",
])
_NOTE_BODIES = np.array([
    "Prefers to be called in the morning.", "Asked not to receive paper mail.",
    "Interested in the premium range.", "Speaks to us mostly through the branch.",
    "Pays by invoice; send it to the finance address.",
])
_JOB_TITLES = np.array(["Owner", "Purchasing manager", "Finance director", "Office manager", "Operations lead"])


def _latin(text: str) -> str:
    """An ASCII spelling for e-mail addresses (Polish ł has no decomposition)."""
    text = text.replace("ł", "l").replace("Ł", "L")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().replace(" ", "").replace("_", "")


@dataclass(frozen=True)
class _Names:
    native: np.ndarray
    latin: np.ndarray


def _names(spec: str, female: bool = False) -> _Names:
    native, latin = [], []
    for item in spec.split():
        if "/" in item:  # male/female surname pair
            item = item.split("/")[1 if female else 0]
        text, _, spelled = item.partition("|")
        text = text.replace("_", " ")
        native.append(text)
        latin.append(_latin(spelled or text))
    return _Names(np.array(native), np.array(latin))


@dataclass(frozen=True)
class _LocaleTables:
    male: _Names
    female: _Names
    last_m: _Names
    last_f: _Names
    countries: np.ndarray
    country_p: np.ndarray
    cities: dict[str, np.ndarray]


def _tables(loc: Locale) -> _LocaleTables:
    countries = np.array(list(loc.countries))
    return _LocaleTables(
        male=_names(loc.male), female=_names(loc.female), last_m=_names(loc.last), last_f=_names(loc.last, True),
        countries=countries, country_p=np.array([loc.countries[c] for c in countries]),
        cities={c: np.array(v.split(";")) for c, v in loc.cities.items()},
    )


_TABLES = {loc.code: _tables(loc) for loc in LOCALES}
_LOCALE_P = np.array([loc.weight for loc in LOCALES])
_LOCALE_P = _LOCALE_P / _LOCALE_P.sum()


# --- Output -----------------------------------------------------------------------------------------------


@dataclass
class Chunk:
    """One slice of the run's customers with everything that hangs off them, as column arrays."""

    number: int
    first: int  # the run index of this chunk's first customer
    customers: Frame
    contact_points: Frame
    consents: Frame
    contacts: Frame
    orders: Frame
    order_lines: Frame
    interactions: Frame
    tasks: Frame
    notes: Frame
    truth: Frame

    def __len__(self) -> int:
        return len(self.customers["index"])


@dataclass(frozen=True)
class Window:
    start_us: int  # microseconds since the Unix epoch, UTC
    end_us: int

    @classmethod
    def of(cls, start: datetime, end: datetime) -> Window:
        def us(moment: datetime) -> int:
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
            return (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds

        if end <= start:
            raise ValueError("the window must end after it starts")
        return cls(us(start), us(end))

    @property
    def weeks(self) -> float:
        return (self.end_us - self.start_us) / US_PER_WEEK


def default_window(end: datetime | None = None, weeks: int = DEFAULT_WEEKS) -> tuple[datetime, datetime]:
    """``weeks`` weeks ending at ``end`` (default: today, midnight UTC)."""
    end = end or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = datetime.fromtimestamp(end.timestamp() - weeks * 7 * 86_400, UTC)
    return start, end


# --- Vector helpers ---------------------------------------------------------------------------------------


def _starts(counts: np.ndarray) -> np.ndarray:
    return np.cumsum(counts) - counts


def _segment_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Running sums restarting at each segment (``counts`` rows per segment, in order)."""
    running = np.cumsum(values)
    before = np.concatenate(([0.0], running))[_starts(counts)]
    return running - np.repeat(before, counts)


def _rank_in_segment(counts: np.ndarray) -> np.ndarray:
    """0, 1, 2 ... within each segment."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(_starts(counts), counts)


def _stamp(window: Window, weeks: np.ndarray) -> np.ndarray:
    """Weeks since the window start as microseconds since the epoch, never on a whole second.

    Django writes a datetime without its fraction when the microseconds are zero; keeping them non-zero
    lets the loader use one fixed text format and still store exactly what Django would.
    """
    us = window.start_us + np.round(weeks * US_PER_WEEK).astype(np.int64)
    us = np.clip(us, window.start_us + 1, window.end_us - 1)
    return us + (us % US_PER_SECOND == 0)


def _pick(rng: np.random.Generator, options: np.ndarray, n: int, p: np.ndarray | None = None) -> np.ndarray:
    return options[rng.choice(len(options), size=n, p=p)]


# --- The simulation ---------------------------------------------------------------------------------------


@dataclass
class _Purchases:
    lam: np.ndarray
    p_drop: np.ndarray
    nu: np.ndarray
    birth: np.ndarray  # weeks since the window start; NaN for prospects
    dropout: np.ndarray  # weeks since the window start (may lie beyond the end); NaN for prospects
    alive: np.ndarray  # still alive at the window end
    repeats: np.ndarray  # repeat purchases in the window
    orders: np.ndarray  # orders in the window (repeats + the first; 0 for prospects)
    order_weeks: np.ndarray  # per order, weeks since the window start, grouped by customer
    order_value: np.ndarray  # per order, base units


def simulate_purchases(rng: np.random.Generator, n: int, params: PurchaseParams, weeks: float) -> _Purchases:
    lam = rng.gamma(params.r, 1.0 / params.alpha, n)
    p_drop = rng.beta(params.a, params.b, n)
    nu = rng.gamma(params.q, 1.0 / params.gamma, n)
    buyer = rng.random(n) >= params.prospect_share
    birth = np.where(buyer, rng.uniform(0.0, weeks, n), np.nan)
    tau = np.where(buyer, weeks - np.nan_to_num(birth), 0.0)
    drop_after = rng.geometric(p_drop)  # J: the repeat purchase after which the customer leaves
    in_window = rng.poisson(lam * tau)  # N: events of the alive-forever process in (0, tau)
    repeats = np.minimum(drop_after, in_window)  # X
    # The first X of N ordered uniforms on (0, tau): U(k) = S_k / S_(N+1).
    gaps = rng.standard_exponential(int(repeats.sum()))
    s = _segment_cumsum(gaps, repeats)
    last = np.zeros(n)
    has = repeats > 0
    last[has] = s[np.cumsum(repeats)[has] - 1]
    total = last + rng.gamma(np.maximum(in_window + 1 - repeats, 1), 1.0)
    per = np.repeat(np.nan_to_num(birth), repeats), np.repeat(tau / total, repeats)
    repeat_weeks = per[0] + s * per[1]
    # Drop-out: at the J-th repeat if it fell in the window, else that many events past the end.
    dropped = buyer & (drop_after <= in_window)
    later = weeks + rng.gamma(np.maximum(drop_after - in_window, 1), 1.0) / lam
    last_repeat = np.nan_to_num(birth) + last * tau / total
    dropout = np.where(dropped, last_repeat, later)
    dropout = np.where(buyer, dropout, np.nan)
    # Orders: the first purchase, then the repeats, per customer in time order.
    orders = np.where(buyer, repeats + 1, 0)
    order_weeks = np.empty(int(orders.sum()))
    firsts = _starts(orders)[buyer]
    order_weeks[firsts] = birth[buyer]
    mask = np.ones(len(order_weeks), bool)
    mask[firsts] = False
    order_weeks[mask] = repeat_weeks
    order_value = rng.gamma(params.p, 1.0 / np.repeat(nu, orders))
    return _Purchases(
        lam=lam, p_drop=p_drop, nu=nu, birth=birth, dropout=dropout, alive=buyer & ~dropped, repeats=repeats,
        orders=orders, order_weeks=order_weeks, order_value=order_value,
    )


def hyp2f1(a: float, b: float, c: float, z: np.ndarray, tol: float = 1e-13, max_terms: int = 1_000_000) -> np.ndarray:
    """Gauss's hypergeometric series for 0 <= z < 1 (enough for the BG/NBD expectation; no SciPy here)."""
    z = np.asarray(z, dtype=float)
    term = np.ones_like(z)
    total = np.ones_like(z)
    for k in range(max_terms):
        term = term * (a + k) * (b + k) / ((c + k) * (k + 1)) * z
        total = total + term
        if np.all(np.abs(term) <= tol * np.abs(total)):
            break
    return total


def expected_repeats(t: np.ndarray, params: PurchaseParams) -> np.ndarray:
    """BG/NBD E[X(t)]: expected repeat purchases in ``t`` weeks after the first (needs a > 1)."""
    t = np.asarray(t, dtype=float)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))


def expected_orders_per_customer(params: PurchaseParams, weeks: float = DEFAULT_WEEKS, grid: int = 400) -> float:
    """Mean orders per customer with births uniform over the window and the prospect share."""
    tau = (np.arange(grid) + 0.5) * weeks / grid
    return float((1 - params.prospect_share) * (1 + expected_repeats(tau, params).mean()))


# --- Customers --------------------------------------------------------------------------------------------


def _people(rng: np.random.Generator, locale: np.ndarray) -> dict[str, np.ndarray]:
    """First and last names (native and Latin) drawn from each row's locale."""
    n = len(locale)
    female = rng.random(n) < 0.5
    out = {k: np.empty(n, dtype=object) for k in ("first", "last", "surname", "first_latin", "last_latin")}
    for code, tables in _TABLES.items():
        rows = np.flatnonzero(locale == code)
        if not len(rows):
            continue
        fem = female[rows]
        for sex, firsts, lasts in ((False, tables.male, tables.last_m), (True, tables.female, tables.last_f)):
            sel = rows[fem == sex]
            i = rng.integers(0, len(firsts.native), len(sel))
            j = rng.integers(0, len(lasts.native), len(sel))
            out["first"][sel] = firsts.native[i]
            out["first_latin"][sel] = firsts.latin[i]
            if code == "ms":  # patronymic
                out["last"][sel] = np.char.add("binti " if sex else "bin ", lasts.native[j])
            else:
                out["last"][sel] = lasts.native[j]
            out["surname"][sel] = lasts.native[j]
            out["last_latin"][sel] = lasts.latin[j]
    return out


def _phones(rng: np.random.Generator, country: np.ndarray) -> tuple[list[str], list[str]]:
    n = len(country)
    a, b, c = rng.integers(0, 1000, n), rng.integers(0, 10000, n), rng.integers(0, 10000, n)
    values = []
    for cc, ai, bi, ci in zip(country.tolist(), a.tolist(), b.tolist(), c.tolist(), strict=True):
        pattern, _prefix = _PHONE_FORMATS[cc]
        values.append(pattern.format(
            a1=ai % 10, a2=f"{ai % 100:02d}", a3=f"{200 + ai % 800:03d}", b3=f"{bi % 1000:03d}", b4=f"{bi:04d}",
            c3=f"{ci % 1000:03d}", c4=f"{ci:04d}",
        ))
    return values, [normalize_phone(v) for v in values]


_NON_DIGITS = re.compile(r"\D+")


def normalize_phone(value: str) -> str:
    """The same rule as rapport.customers.normalize.normalize_phone (tests/ops checks they agree)."""
    value = value.strip()
    digits = _NON_DIGITS.sub("", value)
    if value.startswith("00"):
        return "+" + digits.removeprefix("00")
    return "+" + digits if value.startswith("+") else digits


def _lifecycle(orders: np.ndarray, first_w: np.ndarray, last_w: np.ndarray, max_gap: np.ndarray,
               weeks: float) -> np.ndarray:
    recency = weeks - last_w
    age = weeks - first_w
    stage = np.full(len(orders), 5)  # lost
    stage[recency <= 52] = 4  # lapsed
    stage[recency <= 26] = 3  # at risk
    recent = recency <= 8
    stage[recent] = 2  # active
    stage[recent & (max_gap >= 26)] = 6  # won back after a long silence
    stage[recent & (age <= 13)] = 1  # new
    stage[orders == 0] = 0  # prospect
    return LIFECYCLE_STAGES[stage]


def _segment_max(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    out = np.zeros(len(counts))
    has = counts > 0
    if has.any():
        out[has] = np.maximum.reduceat(values, _starts(counts)[has])
    return out


def generate(
    n_customers: int,
    *,
    seed: int,
    start: datetime,
    end: datetime,
    params: PurchaseParams | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> Iterator[Chunk]:
    """Yield the run's customers ``chunk_size`` at a time, each chunk with all its rows."""
    if n_customers < 0:
        raise ValueError("n_customers must be zero or more")
    params = params or PurchaseParams()
    window = Window.of(start, end)
    for number, first in enumerate(range(0, n_customers, chunk_size)):
        n = min(chunk_size, n_customers - first)
        rng = np.random.default_rng([seed, number])
        yield _chunk(rng, number, first, n, params, window)


def _chunk(rng: np.random.Generator, number: int, first: int, n: int, params: PurchaseParams,
           window: Window) -> Chunk:
    weeks = window.weeks
    index = np.arange(first, first + n, dtype=np.int64)
    buy = simulate_purchases(rng, n, params, weeks)

    # Who they are.
    locale = np.array(LOCALE_CODES)[rng.choice(len(LOCALES), size=n, p=_LOCALE_P)]
    country = np.empty(n, dtype=object)
    city = np.empty(n, dtype=object)
    currency = np.empty(n, dtype=object)
    for loc in LOCALES:
        rows = np.flatnonzero(locale == loc.code)
        tables = _TABLES[loc.code]
        country[rows] = _pick(rng, tables.countries, len(rows), tables.country_p)
        for cc, cities in tables.cities.items():
            sel = rows[country[rows] == cc]
            city[sel] = _pick(rng, cities, len(sel))
            currency[sel] = loc.currency[cc]
    org = rng.random(n) < params.organisation_share
    people = _people(rng, locale)
    number_text = (index + 1).astype(str)
    first_name = np.where(org, "", people["first"])
    last_name = np.where(org, "", people["last"])
    patterns = {loc.code: loc.organisations for loc in LOCALES}
    pattern_pick = rng.integers(0, 12, n)
    organisation_name = np.array([
        patterns[lc][k % len(patterns[lc])].format(last=la, city=ci) if o else ""
        for o, lc, k, la, ci in zip(org, locale, pattern_pick, people["surname"], city, strict=True)
    ], dtype=object)
    display_name = np.where(org, organisation_name, np.char.add(np.char.add(
        people["first"].astype(str), " "), people["last"].astype(str)))
    domain = np.array(_EMAIL_DOMAINS)[rng.integers(0, len(_EMAIL_DOMAINS), n)]
    email = [
        f"info.{ll.lower()}{k}@{d}" if o else f"{fl}.{ll}{k}@{d}"
        for o, fl, ll, k, d in zip(org, people["first_latin"], people["last_latin"], number_text, domain, strict=True)
    ]
    phone, phone_norm = _phones(rng, country)
    days = rng.integers(0, 56 * 365, n)  # born 1950 .. 2005
    birth_date = np.where(org, "", np.datetime_as_string(np.datetime64("1950-01-01") + days, unit="D"))

    # When they came and how they bought.
    created_w = np.where(np.isnan(buy.birth), rng.uniform(0, weeks, n),
                         np.maximum(np.nan_to_num(buy.birth) - rng.uniform(0, 2, n), 0))
    created_us = _stamp(window, created_w)
    orders_n = buy.orders
    order_cust = np.repeat(np.arange(n), orders_n)
    ends = np.cumsum(orders_n) - 1
    has = orders_n > 0
    last_w = np.where(has, buy.order_weeks[np.maximum(ends, 0)] if len(buy.order_weeks) else 0.0, np.nan)
    first_w = np.where(has, np.nan_to_num(buy.birth), np.nan)
    gap = np.diff(buy.order_weeks, prepend=0.0)
    gap[_starts(orders_n)[has]] = 0.0
    max_gap = _segment_max(gap, orders_n)
    stage = _lifecycle(orders_n, np.nan_to_num(first_w), np.nan_to_num(last_w, nan=-1e9), max_gap, weeks)
    level = 1 + sum((orders_n >= k).astype(int) for k in (3, 8, 15, 25, 40))
    level = np.clip(level - (rng.random(n) < 0.2) + (rng.random(n) < 0.05), 1, 6)
    preferred = rng.choice(len(SALES_CHANNELS), size=n, p=SALES_CHANNEL_P)
    updated_us = np.maximum(created_us, _stamp(window, np.nan_to_num(last_w, nan=0.0)))
    customers: Frame = {
        "index": index,
        "kind": np.where(org, "organisation", "person"),
        "first_name": first_name.astype(object),
        "last_name": last_name.astype(object),
        "organisation_name": organisation_name,
        "display_name": display_name.astype(object),
        "email": np.array(email, dtype=object),
        "phone": np.array(phone, dtype=object),
        "language": locale,
        "country": country,
        "city": city,
        "currency": currency,
        "birth_date": birth_date,  # "" for organisations (NULL)
        "preferred_channel": SALES_CHANNELS[preferred],
        "lifecycle_stage": stage,
        "relationship_level": level.astype(np.int64),
        "owner_slot": rng.integers(0, 1 << 30, n),
        "vip": level >= 5,
        "created_us": created_us,
        "updated_us": updated_us,
    }

    # Contact points: an e-mail and a phone each, a second (work) e-mail for one in ten.
    second = ~org & (rng.random(n) < 0.10)
    work_email = [f"{fl[0]}.{ll}{k}@work.example.com".lower() for fl, ll, k in zip(
        people["first_latin"][second], people["last_latin"][second], number_text[second], strict=True)]
    cp_customer = np.concatenate([index, index, index[second]])
    cp_values = np.array(email + phone + work_email, dtype=object)
    cp_kind = np.array(["email"] * n + ["phone"] * n + ["email"] * int(second.sum()), dtype=object)
    cp_norm = np.array([e.strip().lower() for e in email] + phone_norm + work_email, dtype=object)
    order = np.argsort(cp_customer, kind="stable")
    contact_points: Frame = {
        "customer": cp_customer[order],
        "kind": cp_kind[order],
        "value": cp_values[order],
        "normalized": cp_norm[order],
        "label": np.array([""] * n + ["mobile"] * n + ["work"] * int(second.sum()), dtype=object)[order],
        "is_primary": np.concatenate([np.ones(2 * n, bool), np.zeros(int(second.sum()), bool)])[order],
        "created_us": np.concatenate([created_us, created_us, created_us[second]])[order],
    }

    # Consent: e-mail for everyone, SMS for six in ten.
    sms = rng.random(n) < 0.6
    consents: Frame = {
        "customer": np.concatenate([index, index[sms]]),
        "channel": np.array(["email"] * n + ["sms"] * int(sms.sum()), dtype=object),
        "status": np.where(rng.random(n + int(sms.sum())) < 0.8, "granted", "withdrawn"),
        "recorded_us": np.concatenate([created_us, created_us[sms]]),
    }

    # Contact persons at organisations.
    per_org = np.where(org, rng.integers(1, 4, n), 0)
    ct_rows = np.repeat(np.arange(n), per_org)
    ct_people = _people(rng, locale[ct_rows])
    ct_rank = _rank_in_segment(per_org)
    contacts: Frame = {
        "organisation": index[ct_rows],
        "first_name": ct_people["first"],
        "last_name": ct_people["last"],
        "job_title": _pick(rng, _JOB_TITLES, len(ct_rows)),
        "email": np.array([f"{f}.{la}{k}@example.org".lower() for f, la, k in zip(
            ct_people["first_latin"], ct_people["last_latin"], number_text[ct_rows], strict=True)], dtype=object),
        "phone": np.array(_phones(rng, country[ct_rows])[0], dtype=object),
        "is_primary": ct_rank == 0,
        "created_us": created_us[ct_rows],
    }

    # Orders and their lines.
    n_orders = len(order_cust)
    order_us = _stamp(window, buy.order_weeks)
    scale = np.array([CURRENCY_SCALE[c] for c in currency], dtype=float) if n else np.zeros(0)
    total_cents = np.maximum(np.round(buy.order_value * scale[order_cust] * 100), 100).astype(np.int64)
    own = rng.random(n_orders) < 0.7
    channel = np.where(own, preferred[order_cust], rng.choice(len(SALES_CHANNELS), size=n_orders, p=SALES_CHANNEL_P))
    age_days = (window.end_us - order_us) / US_PER_DAY
    status = np.full(n_orders, "completed", dtype=object)
    status[age_days < 14] = "shipped"
    status[age_days < 3] = "paid"
    status[age_days < 1] = "placed"
    roll = rng.random(n_orders)
    status[(roll < 0.03) & (age_days >= 14)] = "returned"
    status[roll > 0.99] = "cancelled"
    orders: Frame = {
        "customer": index[order_cust],
        "placed_us": order_us,
        "channel": SALES_CHANNELS[channel],
        "status": status,
        "currency": currency[order_cust] if n_orders else np.zeros(0, dtype=object),
        "total_cents": total_cents,
    }
    lines_n = rng.choice(3, size=n_orders, p=[0.5, 0.3, 0.2]) + 1
    line_order = np.repeat(np.arange(n_orders), lines_n)
    n_lines = len(line_order)
    weight = rng.uniform(0.3, 1.0, n_lines)
    cum = _segment_cumsum(weight, lines_n)
    share = cum / np.repeat(cum[np.cumsum(lines_n) - 1] if n_orders else np.zeros(0), lines_n)
    bound = np.floor(np.repeat(total_cents, lines_n) * share).astype(np.int64)
    part = np.diff(bound, prepend=0)
    rank = _rank_in_segment(lines_n)
    part[rank == 0] = bound[rank == 0]
    is_last = rank == np.repeat(lines_n - 1, lines_n)
    qty = np.where(is_last, 1, rng.choice(3, size=n_lines, p=[0.7, 0.2, 0.1]) + 1)
    unit = np.maximum(part // qty, 1)
    line_total = unit * qty
    others = _segment_cumsum(np.where(is_last, 0, line_total).astype(float), lines_n)
    last_total = np.repeat(total_cents, lines_n) - others.astype(np.int64)
    line_total = np.where(is_last, last_total, line_total)
    unit = np.where(is_last, last_total, unit)
    order_lines: Frame = {
        "order": line_order,
        "description": _pick(rng, _ORDER_ITEMS, n_lines),
        "quantity": qty.astype(np.int64),
        "unit_cents": unit.astype(np.int64),
        "line_cents": line_total.astype(np.int64),
    }

    # Interactions across the channels, between sign-up and the window end.
    intensity = rng.gamma(2.0, params.interactions_mean / 2.0, n)
    it_n = rng.poisson(intensity)
    it_rows = np.repeat(np.arange(n), it_n)
    it_w = created_w[it_rows] + rng.random(len(it_rows)) * (weeks - created_w[it_rows])
    weights = np.array([t[3] for t in _INTERACTION_TEMPLATES])
    template = rng.choice(len(_INTERACTION_TEMPLATES), size=len(it_rows), p=weights / weights.sum())
    it_us = _stamp(window, it_w)
    interactions: Frame = {
        "customer": index[it_rows],
        "channel": np.array([t[0] for t in _INTERACTION_TEMPLATES])[template],
        "direction": np.array([t[1] for t in _INTERACTION_TEMPLATES])[template],
        "subject": np.array([t[2] for t in _INTERACTION_TEMPLATES])[template],
        "staffed": np.array([t[4] for t in _INTERACTION_TEMPLATES])[template],
        "occurred_us": it_us,
    }

    # A few open and done tasks, and a few notes.
    has_task = rng.random(n) < 0.04
    due_w = weeks + rng.uniform(-3, 2, int(has_task.sum()))
    task_created_w = np.maximum(due_w - rng.uniform(0.3, 1.5, len(due_w)), created_w[has_task])
    done = (due_w < weeks) & (rng.random(len(due_w)) < 0.8)
    tasks: Frame = {
        "customer": index[has_task],
        "title": _pick(rng, _TASK_TITLES, len(due_w)),
        "created_us": _stamp(window, np.minimum(task_created_w, weeks)),
        "due_us": window.start_us + np.round(due_w * US_PER_WEEK).astype(np.int64) + 1,
        "done": done,
        "done_us": _stamp(window, np.minimum(due_w, weeks)),
    }
    has_note = rng.random(n) < 0.04
    note_w = created_w[has_note] + rng.random(int(has_note.sum())) * (weeks - created_w[has_note])
    notes: Frame = {
        "customer": index[has_note],
        "body": _pick(rng, _NOTE_BODIES, int(has_note.sum())),
        "created_us": _stamp(window, note_w),
    }

    truth: Frame = {
        "index": index, "lam": buy.lam, "p": buy.p_drop, "nu": buy.nu, "birth": buy.birth,
        "dropout": buy.dropout, "alive": buy.alive, "repeats": buy.repeats, "orders": buy.orders,
    }
    return Chunk(
        number=number, first=first, customers=customers, contact_points=contact_points, consents=consents,
        contacts=contacts, orders=orders, order_lines=order_lines, interactions=interactions, tasks=tasks,
        notes=notes, truth=truth,
    )


def run_params(params: PurchaseParams, start: datetime, end: datetime) -> dict[str, Any]:
    """What a SeedRun records: the true parameters, the window and the units."""
    return {
        **params.as_dict(),
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "time_unit": "week",
        "window_weeks": Window.of(start, end).weeks,
        "currency_scale": dict(CURRENCY_SCALE),
        "model": "BG/NBD purchases, Gamma-Gamma spend",
        "generator_version": 1,
        "expected_orders_per_customer": (
            expected_orders_per_customer(params, Window.of(start, end).weeks) if params.a > 1 else math.nan
        ),
    }
