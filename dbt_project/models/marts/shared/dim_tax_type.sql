with

tax_types as (

    select * from {{ source('reference', 'tax_types') }}

),

final as (

    select
        tax_type,
        sort_order
    from tax_types

)

select * from final
