with

source as (

    select * from {{ source('raw', 'filings') }}

),

final as (

    select
        filing_id,
        file_sha256,
        file_name,
        file_format,
        encoding,
        park_code,
        park_name_filed,
        period,
        filed_date,
        due_date,
        revision,
        received_at,
        arrival_seq,
        arrived_at,
        arrived_on,
        is_late,
        late_basis
    from source

)

select * from final
