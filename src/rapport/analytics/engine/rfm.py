"""RFM: recency, frequency and monetary quintile scores 1..5, and the named segments read from them.

Scores. Customers are put in one strict order per dimension and cut into five equal groups by position:
``score = floor(5 * position / n) + 1``, so every score holds n/5 customers (give or take one).

- R, recency: days since the last purchase; more recent is better (5). Ties: more transactions, then more
  spend, then the lower customer id ranks higher.
- F, frequency: the number of transactions (distinct purchase days). Ties, which are the rule here since most
  customers of most shops buy once, are broken by recency (the more recent buyer ranks higher), then spend, then
  customer id. This is ranking with ``method='first'`` on (frequency, recency): without it 60% of one-time buyers
  would all get F = 1 or all F = 3 depending on where the cut falls, and the quintiles would mean nothing.
- M, monetary: **total** spend up to the as-of date (every purchase day, the first included). Total rather than
  mean basket because the segments name customers by what they are worth to the business ("Champions spend the
  most"); the mean basket is a separate fact, already in the summary as ``monetary`` for the CLV models.
  Ties: more transactions, then more recent, then customer id.

So two customers with equal values can get adjacent scores; that is the price of balanced quintiles, and the
tie-break always favours the customer who is better on the next dimension, never chance.

Segments. The widely used grid of R against FM = (F + M) / 2, rounded half up (``(F + M + 1) // 2``):

======  ==================  ===================  ===================  ==============  ==============
R \\ FM  1                   2                    3                    4               5
======  ==================  ===================  ===================  ==============  ==============
5       new                 potential_loyalists  potential_loyalists  champions       champions
4       promising           potential_loyalists  potential_loyalists  loyal           loyal
3       about_to_sleep      about_to_sleep       need_attention       loyal           loyal
2       hibernating         hibernating          at_risk              at_risk         cant_lose_them
1       hibernating         hibernating          at_risk              at_risk         cant_lose_them
======  ==================  ===================  ===================  ==============  ==============

Codes are stable snake_case strings (stored with the scores); ``SEGMENT_LABELS`` holds the English names, which
the Django layer translates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rapport.analytics.engine.summary import Summary

SEGMENTS: tuple[str, ...] = (
    "champions",
    "loyal",
    "potential_loyalists",
    "new",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cant_lose_them",
    "hibernating",
)

SEGMENT_LABELS: dict[str, str] = {
    "champions": "Champions",
    "loyal": "Loyal",
    "potential_loyalists": "Potential Loyalists",
    "new": "New",
    "promising": "Promising",
    "need_attention": "Need Attention",
    "about_to_sleep": "About to Sleep",
    "at_risk": "At Risk",
    "cant_lose_them": "Can't Lose Them",
    "hibernating": "Hibernating",
}

# Rows R = 1..5, columns FM = 1..5 (the table in the module docstring).
SEGMENT_GRID: tuple[tuple[str, ...], ...] = (
    ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose_them"),  # R = 1
    ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose_them"),  # R = 2
    ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),  # R = 3
    ("promising", "potential_loyalists", "potential_loyalists", "loyal", "loyal"),  # R = 4
    ("new", "potential_loyalists", "potential_loyalists", "champions", "champions"),  # R = 5
)
_GRID_INDEX = np.array([[SEGMENTS.index(code) for code in row] for row in SEGMENT_GRID], dtype=np.int8)


def quintile_scores(*keys: np.ndarray) -> np.ndarray:
    """Scores 1..5 from a strict order: the first key is the primary one, later keys break ties; higher is better.
    Every score gets n/5 rows, give or take one."""
    n = keys[0].shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    # np.lexsort sorts by its *last* key first; the last key of ours is the final tie-break.
    order = np.lexsort(tuple(reversed(keys)))
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    return (position * 5 // n + 1).astype(np.int8)


def fm_score(f: np.ndarray, m: np.ndarray) -> np.ndarray:
    """(F + M) / 2 rounded half up: 3 and 4 give 4."""
    return ((f.astype(np.int16) + m.astype(np.int16) + 1) // 2).astype(np.int8)


def segment_index(r: np.ndarray, fm: np.ndarray) -> np.ndarray:
    """Position in ``SEGMENTS`` of each (R, FM) pair, both 1..5."""
    return _GRID_INDEX[np.asarray(r, dtype=np.intp) - 1, np.asarray(fm, dtype=np.intp) - 1]


def segment_of(r: int, fm: int) -> str:
    return SEGMENT_GRID[r - 1][fm - 1]


@dataclass(frozen=True, eq=False)
class RFMScores:
    customer_id: np.ndarray  # int64
    r: np.ndarray  # int8 1..5
    f: np.ndarray  # int8 1..5
    m: np.ndarray  # int8 1..5
    fm: np.ndarray  # int8 1..5, (F + M) / 2 rounded half up
    segment_index: np.ndarray  # int8, position in SEGMENTS

    def __len__(self) -> int:
        return int(self.customer_id.shape[0])

    @property
    def segment(self) -> np.ndarray:
        """Segment codes as an array of str (built on demand: a million Python strings are not free)."""
        return np.asarray(SEGMENTS, dtype=object)[self.segment_index]

    @property
    def rfm_code(self) -> np.ndarray:
        """The three scores as one number, 111..555, the way marketers write them."""
        return self.r.astype(np.int16) * 100 + self.f.astype(np.int16) * 10 + self.m.astype(np.int16)

    def counts(self) -> dict[str, int]:
        """Customers per segment, every segment present (0 when empty)."""
        tally = np.bincount(self.segment_index.astype(np.intp), minlength=len(SEGMENTS))
        return {code: int(tally[i]) for i, code in enumerate(SEGMENTS)}


def rfm_scores(
    customer_id: np.ndarray, days_since_last: np.ndarray, transactions: np.ndarray, spend: np.ndarray
) -> RFMScores:
    """Score customers from plain arrays: days since the last purchase, number of transactions (purchase days) and
    total spend."""
    customer_id = np.asarray(customer_id, dtype=np.int64)
    recent = -np.asarray(days_since_last, dtype=np.float64)  # higher is better
    transactions = np.asarray(transactions, dtype=np.float64)
    spend = np.nan_to_num(np.asarray(spend, dtype=np.float64), nan=0.0)
    if not (customer_id.shape == recent.shape == transactions.shape == spend.shape):
        raise ValueError("the arrays must have one value per customer")
    # The customer id is the last tie-break, lower id first (it ranks higher, hence the minus).
    last = -customer_id
    r = quintile_scores(recent, transactions, spend, last)
    f = quintile_scores(transactions, recent, spend, last)
    m = quintile_scores(spend, transactions, recent, last)
    fm = fm_score(f, m)
    return RFMScores(customer_id=customer_id, r=r, f=f, m=m, fm=fm, segment_index=segment_index(r, fm))


def rfm_from_summary(summary: Summary) -> RFMScores:
    """RFM of every customer in a summary: frequency + 1 transactions, total spend as M."""
    return rfm_scores(summary.customer_id, summary.days_since_last, summary.frequency + 1, summary.total_spend)
