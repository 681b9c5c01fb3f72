{#-
    Every report period from February of the first year filed to the latest
    period filed (by any filing taken in, even one validation rejected, so
    that coverage can show that month). No January: February's filing
    covers 1-2月.

    Figures are year to date, so the period before a report period is the
    one whose YTD it continues — none for February, where the year starts
    again — and the comparable period is the same one a year earlier.
-#}
with

filings as (

    select * from {{ ref('stg_raw__filings') }}

),

accepted_filings as (

    select * from {{ ref('int_filings_ranked') }}

),

bounds as (

    select
        make_date(year(min(period)), 2, 1) as first_period,
        max(period) as last_period
    from filings

),

months as (

    select cast(unnest(generate_series(first_period, last_period, interval 1 month)) as date)
        as period
    from bounds

),

report_periods as (

    select period
    from months
    where month(period) <> 1

),

latest_accepted as (

    {#- The newest period any park has a filing for whose current decision is
        accepted, warned or waived: what the published marts are up to. -#}
    select max(period) as period
    from accepted_filings

),

final as (

    select
        report_periods.period,
        year(report_periods.period) as year,
        quarter(report_periods.period) as quarter,
        month(report_periods.period) as month,
        month(report_periods.period) as months_covered,
        case when month(report_periods.period) = 2 then 2 else 1 end as months_in_month_value,
        month(report_periods.period) = 6 as is_half_year,
        month(report_periods.period) = 9 as is_three_quarters,
        month(report_periods.period) = 12 as is_full_year,
        case
            when month(report_periods.period) > 2
                then cast(report_periods.period - interval 1 month as date)
        end as previous_period,
        last_year.period as same_period_last_year,
        coalesce(report_periods.period = latest_accepted.period, false) as is_latest_period,
        year(report_periods.period) || '年1-' || month(report_periods.period) || '月' as label_zh,
        'Jan–' || strftime(report_periods.period, '%b %Y') as label_en,
        cast(year(report_periods.period) * 100 + month(report_periods.period) as integer)
            as sort_key
    from report_periods
    cross join latest_accepted
    left join report_periods as last_year
        on last_year.period = {{ last_year('report_periods.period') }}

)

select * from final
