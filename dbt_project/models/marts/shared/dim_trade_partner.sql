with

partners as (

    select * from {{ source('reference', 'trade_partners') }}

),

final as (

    select
        partner,
        region_group,
        sort_order
    from partners

)

select * from final
