with

chains as (

    select * from {{ source('reference', 'industry_chains') }}

),

final as (

    select
        chain,
        english as chain_en,
        nullif(aliases, '') as aliases,
        chain = '其他' as is_other
    from chains

)

select * from final
