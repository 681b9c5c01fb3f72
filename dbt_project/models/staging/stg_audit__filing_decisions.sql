with

source as (

    select * from {{ source('audit', 'filing_decisions') }}

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
        status in ('accepted', 'warned', 'waived') as is_publishable
    from source

)

select * from final
