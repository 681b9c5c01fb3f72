{#-
    Every filing whose figures are or were published (accepted, current or
    superseded), with the file it came from: a figure's filing_id leads here,
    and from here to the file kept in archive/ by its SHA-256 — with the
    figure's source_sheet and source_row, the very cell that was filed.
    Rejected filings stay in the working file (the stewards' report).
-#}
with

filings as (

    select * from {{ ref('int_filings_ranked') }}

),

arrivals as (

    select * from {{ ref('stg_raw__arrivals') }}

),

final as (

    select
        filings.filing_id,
        filings.park_code,
        filings.period,
        filings.revision,
        filings.filed_date,
        filings.is_late,
        filings.validation_status,
        filings.is_current,
        filings.file_sha256,
        filings.file_name,
        filings.file_format,
        arrivals.archive_path,
        filings.received_at
    from filings
    left join arrivals
        on filings.arrival_seq = arrivals.arrival_seq

)

select * from final
