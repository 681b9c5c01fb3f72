{#-
    Every park expected for every report period (on the registry then), with
    what became of its filing: the status of its current filing (accepted,
    warned, waived), rejected (it filed, nothing was accepted), or not_filed.
    Park-level marts start from here, so a park that did not file, or whose
    filing was rejected, is a row with its status — never a missing row.
    A file refused on arrival (unreadable, park unknown) names no park the
    warehouse can trust: its park counts as not filed until a filing is read.
-#}
with

parks as (

    select * from {{ ref('int_park_periods_resolved') }}

),

current_filings as (

    select * from {{ ref('int_filings_ranked') }}
    where is_current

),

filed as (

    select distinct park_code, period
    from {{ ref('stg_raw__filings') }}

),

final as (

    select
        parks.*,
        current_filings.filing_id,
        case
            when current_filings.filing_id is not null then current_filings.validation_status
            when filed.park_code is not null then 'rejected'
            else 'not_filed'
        end as filing_status,
        current_filings.filing_id is not null as is_reported
    from parks
    left join current_filings
        on parks.park_code = current_filings.park_code
        and parks.period = current_filings.period
    left join filed
        on parks.park_code = filed.park_code
        and parks.period = filed.period

)

select * from final
