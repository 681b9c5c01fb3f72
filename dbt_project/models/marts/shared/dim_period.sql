{#-
    Every report period from February of the first year filed to the latest
    period filed. No January: February's filing covers 1-2月.
-#}
with

filings as (

    select * from {{ ref('stg_raw__filings') }}

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

final as (

    select
        period,
        year(period) as year,
        month(period) as month,
        month(period) as months_covered,
        case when month(period) = 2 then 2 else 1 end as months_in_month_value,
        year(period) || '年1-' || month(period) || '月' as label
    from months
    where month(period) <> 1

)

select * from final
