with

source as (

    select * from {{ source('raw', 'trade') }}

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
        partner,
        export_ytd,
        import_ytd,
        export_prior_ytd,
        import_prior_ytd
    from source

)

select * from final
