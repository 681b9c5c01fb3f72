"""What was published when: every publish keeps the figures it published (vintages).

Each headline figure (park × period × indicator of marts.fct_park_indicators)
is one row per value it has had in a publication: `published_at` the
publication that first carried the value, `superseded_at` the one that
replaced or withdrew it (NULL while current) — as ALFRED keeps vintages of
economic series. What the office published at time t is

    published_at <= t and (superseded_at is null or superseded_at > t)

The table is carried from the published file into each new one, and a
publish writes rows only for figures whose value changed, so it grows with
revisions, not with the number of publications: a month's run costs about
the same on ten years of history as on one. The reason a figure was revised
is decided here, where the candidate still holds the filings and their
decisions; the published file keeps only the marts.
"""

from __future__ import annotations

import datetime as dt

from parkstat.published_file import MART_SCHEMA, describe

TABLE = "fct_indicator_vintages"
VINTAGES = f"{MART_SCHEMA}.{TABLE}"
REVISIONS = f"{MART_SCHEMA}.mart_revisions"

KEY = ("park_code", "period", "indicator")

# Why a published figure changed (its row's superseded_because).
CORRECTION = "correction"  # a correction (更正) superseded the filing it came from
WAIVER = "waiver"  # the filing now current was accepted under a steward's waiver
REJECTION = "rejection"  # the filing it came from is now rejected: no figure is published
WITHDRAWN = "withdrawn"  # no accepted filing carries it any more, none was rejected
REREAD = "reread"  # the same filing, read again (a rebuild with a changed reader)

_COLUMNS = {
    "park_code": ("varchar", "Park code (园区代码)."),
    "period": ("date", "Report period (报告期); the figure is 1-N月."),
    "indicator": ("varchar", "Headline indicator (指标); units in dim_indicator."),
    "value_ytd": (
        "double",
        "The published 本年累计 (发布值) — as in fct_park_indicators at that publication.",
    ),
    "filing_id": ("varchar", "The filing the value came from (来源填报)."),
    "publication_id": ("varchar", "The publication that first carried this value (发布编号)."),
    "published_at": ("timestamp", "When this value was first published (发布时间, UTC)."),
    "superseded_at": (
        "timestamp",
        "When a later publication replaced or withdrew it (被替代时间, UTC); NULL while current.",
    ),
    "superseded_by_publication": (
        "varchar",
        "The publication that replaced or withdrew it (替代发布编号).",
    ),
    "superseded_by_filing": (
        "varchar",
        "The filing whose value replaced it (替代填报); NULL when withdrawn.",
    ),
    "superseded_because": (
        "varchar",
        f"Why it changed (修订原因): {CORRECTION} (a correction superseded the filing), "
        f"{WAIVER} (the filing now current was accepted under a steward's waiver), "
        f"{REJECTION} (its filing is now rejected; nothing is published), {WITHDRAWN} "
        f"(no accepted filing carries it), {REREAD} (the same filing read again).",
    ),
}


_REVISION_COLUMNS = {
    "publication_id": "The publication that made the change (发布编号).",
    "published_at": "When it was published (发布时间, UTC).",
    "park_code": "Park code (园区代码).",
    "period": "Report period (报告期).",
    "indicator": "Headline indicator (指标).",
    "old_value": "The value published before (原发布值).",
    "new_value": "The value published now (新发布值); NULL when withdrawn.",
    "old_filing_id": "The filing the old value came from (原填报).",
    "new_filing_id": "The filing that caused the change (引起修订的填报); NULL when withdrawn.",
    "reason": "Why (修订原因): as fct_indicator_vintages.superseded_because.",
}


def _current_figures() -> str:
    """The figures the candidate is about to publish, with what the reasons need."""
    return f"""
        select f.park_code, f.period, f.indicator, f.value_ytd, f.filing_id,
               r.validation_status
        from {MART_SCHEMA}.fct_park_indicators f
        left join intermediate.int_filings_ranked r using (filing_id)
    """


def record(con, publication_id: str, published_at: dt.datetime, carried: bool) -> None:
    """Write the vintages into the candidate `con`: those of the published file (attached
    as `published` when `carried`) with this publication's changes."""
    cols = ", ".join(f"{name} {kind}" for name, (kind, _) in _COLUMNS.items())
    con.execute(f"create or replace table {VINTAGES} ({cols}, primary key "
                f"({', '.join(KEY)}, published_at))")  # fmt: skip
    if carried:
        con.execute(f"insert into {VINTAGES} by name select * from published.{VINTAGES}")
    on = " and ".join(f"v.{k} = c.{k}" for k in KEY)
    con.execute(f"create temp table _now as {_current_figures()}")
    # Open vintages whose figure changed or went: closed by this publication, with why.
    con.execute(
        f"""
        update {VINTAGES} v set
            superseded_at = ?,
            superseded_by_publication = ?,
            superseded_by_filing = c.filing_id,
            superseded_because = case
                when c.filing_id is null and s.filing_status = 'rejected' then '{REJECTION}'
                when c.filing_id is null then '{WITHDRAWN}'
                when c.validation_status = 'waived' then '{WAIVER}'
                when c.filing_id <> v.filing_id then '{CORRECTION}'
                else '{REREAD}'
            end
        from (
            select o.park_code, o.period, o.indicator, n.filing_id, n.validation_status
            from {VINTAGES} o
            left join _now n using ({", ".join(KEY)})
            where o.superseded_at is null
              and (n.park_code is null or n.value_ytd is distinct from o.value_ytd)
        ) c
        left join intermediate.int_park_period_status s
          on s.park_code = c.park_code and s.period = c.period
        where v.superseded_at is null and {on}
        """,
        [published_at, publication_id],
    )
    # Figures new to this publication, or changed: a vintage each.
    con.execute(
        f"""
        insert into {VINTAGES} (park_code, period, indicator, value_ytd, filing_id,
                                publication_id, published_at)
        select c.park_code, c.period, c.indicator, c.value_ytd, c.filing_id, ?, ?
        from _now c
        where not exists (
            select 1 from {VINTAGES} v where {on} and v.superseded_at is null)
        """,
        [publication_id, published_at],
    )
    con.execute("drop table _now")
    describe(
        con,
        "table",
        VINTAGES,
        "Vintages (发布版本): every value each headline figure has had in a publication. "
        "As published at time t: published_at <= t and (superseded_at is null or "
        "superseded_at > t).",
        {name: words for name, (_, words) in _COLUMNS.items()},
    )
    con.execute(f"""
        create or replace view {REVISIONS} as
        select old.superseded_by_publication as publication_id,
               old.superseded_at as published_at,
               old.park_code, old.period, old.indicator,
               old.value_ytd as old_value, new.value_ytd as new_value,
               old.filing_id as old_filing_id, old.superseded_by_filing as new_filing_id,
               old.superseded_because as reason
        from {VINTAGES} old
        left join {VINTAGES} new
          on {" and ".join(f"new.{k} = old.{k}" for k in KEY)}
         and new.published_at = old.superseded_at
        where old.superseded_at is not null
    """)
    describe(
        con,
        "view",
        REVISIONS,
        "Revisions (修订记录): for each publication, every published figure it changed or "
        "withdrew — old value, new value, the filing that caused it and why (reason as in "
        "fct_indicator_vintages.superseded_because).",
        _REVISION_COLUMNS,
    )
