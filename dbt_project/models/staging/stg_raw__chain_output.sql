with

source as (

    select * from {{ source('raw', 'chain_output') }}

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
        chain,
        output_ytd,
        output_prior_ytd,
        yoy_reported_pct,
        enterprises
    from source

)

select * from final
