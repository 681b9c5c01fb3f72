with

source as (

    select * from {{ source('raw', 'tax') }}

),

final as (

    select
        filing_id,
        file_name,
        sheet,
        row_number,
        park_code,
        period,
        filed_date,
        revision,
        received_at,
        tax_type,
        tax_ytd,
        tax_prior_ytd,
        yoy_reported_pct
    from source

)

select * from final
