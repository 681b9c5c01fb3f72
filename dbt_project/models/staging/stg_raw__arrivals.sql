with

source as (

    select * from {{ source('raw', 'arrivals') }}

),

final as (

    select
        arrival_seq,
        file_sha256,
        file_name,
        size_bytes,
        received_at,
        archive_path,
        outcome,
        filings_accepted,
        filings_rejected,
        filings_duplicate,
        quarantine_path
    from source

)

select * from final
