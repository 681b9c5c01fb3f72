{#-
    Each filing's current decision: decisions are appended (a rejected filing
    is decided again when what it was judged against changes), the latest
    counts — as in expectations/audit_store.py CURRENT_DECISIONS.
-#}
with

source as (

    select * from {{ source('audit', 'filing_decisions') }}

),

current_decisions as (

    select *
    from source
    qualify row_number() over (partition by filing_id order by decided_at desc) = 1

),

final as (

    select
        filing_id,
        status,
        blocking_rules,
        warning_rules,
        waived_rules,
        run_id,
        decided_at,
        decided_because,
        status in ('accepted', 'warned', 'waived') as is_publishable
    from current_decisions

)

select * from final
