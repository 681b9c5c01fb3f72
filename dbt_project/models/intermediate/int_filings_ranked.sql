{#-
    Every accepted filing of a park and period ranked newest first: a
    correction (higher 更正次数) supersedes the earlier filing; between equal
    revisions the later arrival wins (var supersede_order, passed from
    sources/template.py). Filings
    rejected by validation never take part: the park's earlier accepted
    filing stays current. Only rank 1 counts in the marts.
-#}
with

filings as (

    select * from {{ ref('stg_raw__filings') }}

),

decisions as (

    select * from {{ ref('stg_audit__filing_decisions') }}

),

accepted as (

    select
        filings.*,
        decisions.status as validation_status,
        decisions.warning_rules,
        decisions.waived_rules
    from filings
    inner join decisions
        on filings.filing_id = decisions.filing_id
        and decisions.is_publishable

),

ranked as (

    select
        *,
        row_number() over (
            partition by park_code, period
            order by {{ var('supersede_order') }}
        ) as supersede_rank
    from accepted

),

final as (

    select
        *,
        supersede_rank = 1 as is_current
    from ranked

)

select * from final
