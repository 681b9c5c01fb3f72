{#-
    Every filing of a park and period, newest first: a correction (higher
    更正次数) supersedes the earlier filing; between equal revisions the later
    filing date, then the later arrival wins. Only rank 1 counts in the marts.
-#}
with

filings as (

    select * from {{ ref('stg_raw__filings') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by park_code, period
            order by revision desc, filed_date desc nulls last, arrival_seq desc
        ) as supersede_rank
    from filings

),

final as (

    select
        *,
        supersede_rank = 1 as is_current
    from ranked

)

select * from final
