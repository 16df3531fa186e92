"""Relationship features per customer from the touchpoints (interactions), aggregated in DuckDB.

They feed the churn model beside the purchase history (a customer who keeps calling in is telling you
something) and the service appetite of the value segments (service contacts per order). The service domain's
complaints and the surveys' satisfaction answers join here when those domains land.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

# Channels where the customer serves themselves: a high share is a low appetite for personal service.
SELF_SERVICE = ("web", "portal", "email", "chat", "social")
FEATURES = ("inbound_contacts", "inbound_90d", "outbound_90d", "days_since_contact", "self_service_share")


def relationship_features(interactions: pa.Table, customer_id: np.ndarray, day: int) -> dict[str, np.ndarray]:
    """Each feature as of ``day`` (days since 1970-01-01), aligned on ``customer_id`` (sorted int64).

    A customer without touchpoints gets zeros, and ``days_since_contact`` of 3650 (ten years: "never").
    """
    ids = np.asarray(customer_id, dtype=np.int64)
    out = {name: np.zeros(len(ids), dtype=np.float64) for name in FEATURES}
    out["days_since_contact"][:] = 3650.0
    if len(ids) == 0 or interactions.num_rows == 0:
        return out
    con = duckdb.connect()
    try:
        con.register("touch", interactions)
        rows = con.sql(
            """
            SELECT customer_id,
                   count(*) FILTER (WHERE inbound) AS inbound_contacts,
                   count(*) FILTER (WHERE inbound AND day > $day - 90) AS inbound_90d,
                   count(*) FILTER (WHERE NOT inbound AND day > $day - 90) AS outbound_90d,
                   $day - max(day) AS days_since_contact,
                   avg(CASE WHEN self_service THEN 1.0 ELSE 0.0 END) AS self_service_share
            FROM touch WHERE day <= $day GROUP BY customer_id ORDER BY customer_id
            """,
            params={"day": int(day)},
        ).to_arrow_table()
    finally:
        con.close()
    found = rows.column("customer_id").to_numpy()
    where = np.searchsorted(ids, found)
    inside = where < len(ids)
    inside[inside] = ids[where[inside]] == found[inside]
    for name in FEATURES:
        values = rows.column(name).to_numpy(zero_copy_only=False).astype(np.float64)
        out[name][where[inside]] = np.nan_to_num(values[inside], nan=0.0)
    return out
