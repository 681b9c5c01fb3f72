with

source as (

    select * from {{ source('raw', 'indicators') }}

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
        indicator,
        unit,
        value_ytd,
        value_prior_ytd,
        yoy_reported_pct
    from source

)

select * from final
