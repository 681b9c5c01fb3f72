{#-
    The leaderboard (龙虎榜): per park expected and period the key figures
    side by side, growth as reported and as computed, output and tax per mu
    of the approved area in effect (1-N月, and annualised: YTD x 12 / months
    covered), and ranks within the province, within the park's level and
    within its city — level and city as they were in that period. A park that
    did not file, or whose filing was rejected, is a row with its status and
    no figures, so nobody ranks or sums the parks that happened to file
    without seeing the ones that did not.
-#}
with

indicators as (

    select * from {{ ref('fct_park_indicators') }}

),

parks as (

    select * from {{ ref('int_park_period_status') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

filings as (

    select * from {{ ref('stg_raw__filings') }}

),

size_bands as (

    select * from {{ source('reference', 'size_bands') }}

),

current_projects as (

    {{ current_rows('stg_raw__projects') }}

),

figures as (

    select
        park_code,
        period,
        max(value_ytd) filter (where indicator = '规模工业总产值') as output_ytd,
        max(value_month) filter (where indicator = '规模工业总产值') as output_month,
        max(yoy_reported_pct) filter (where indicator = '规模工业总产值')
            as output_yoy_reported_pct,
        max(yoy_pct) filter (where indicator = '规模工业总产值') as output_yoy_pct,
        bool_or(yoy_is_derived) filter (where indicator = '规模工业总产值')
            as output_yoy_is_derived,
        max(yoy_computed_pct) filter (where indicator = '规模工业总产值')
            as output_yoy_computed_pct,
        max(yoy_reported_pct) filter (where indicator = '规模工业增加值')
            as value_added_yoy_pct,
        max(value_ytd) filter (where indicator = '税收总额') as tax_ytd,
        max(yoy_reported_pct) filter (where indicator = '税收总额') as tax_yoy_reported_pct,
        max(yoy_computed_pct) filter (where indicator = '税收总额') as tax_yoy_computed_pct,
        max(value_ytd) filter (where indicator = '进出口总额') as trade_ytd,
        max(yoy_computed_pct) filter (where indicator = '进出口总额') as trade_yoy_computed_pct,
        max(value_ytd) filter (where indicator = '实际使用外资') as fdi_usd_ytd,
        max(value_ytd) filter (where indicator = '新签约项目数') as projects_signed_ytd,
        max(value_ytd) filter (where indicator = '合同引资额') as contract_amount_ytd
    from indicators
    group by park_code, period

),

large_projects as (

    select
        park_code,
        period,
        count(*) as projects_signed_over_100m_ytd
    from current_projects
    where year(signed_date) = year(period)
        and contract_amount >= (select max(min_amount_wan) from size_bands)
    group by park_code, period

),

scored as (

    select
        parks.park_code,
        parks.park_version_key,
        parks.period,
        parks.filing_status,
        parks.filing_id,
        figures.* exclude (park_code, period),
        {#- A long CSV carries no project sheet: its count is not reported (NULL), never 0. -#}
        case when filings.file_format = 'xlsx'
            then coalesce(large_projects.projects_signed_over_100m_ytd, 0)
        end as projects_signed_over_100m_ytd,
        parks.park_name,
        parks.short_name,
        parks.city,
        parks.level,
        parks.park_type,
        parks.area_mu,
        periods.months_covered,
        round(figures.output_ytd / parks.area_mu, 2) as output_per_mu_ytd,
        round(figures.output_ytd * 12 / periods.months_covered / parks.area_mu, 2)
            as output_per_mu_annualised,
        round(figures.tax_ytd / parks.area_mu, 2) as tax_per_mu_ytd,
        round(figures.tax_ytd * 12 / periods.months_covered / parks.area_mu, 2)
            as tax_per_mu_annualised
    from parks
    inner join periods
        on parks.period = periods.period
    left join figures
        on parks.park_code = figures.park_code
        and parks.period = figures.period
    left join filings
        on parks.filing_id = filings.filing_id
    left join large_projects
        on parks.park_code = large_projects.park_code
        and parks.period = large_projects.period

),

final as (

    select
        *,
        {{ rank_within('output_ytd') }} as output_rank_province,
        {{ rank_within('output_ytd', 'level') }} as output_rank_level,
        {{ rank_within('output_ytd', 'city') }} as output_rank_city,
        {{ rank_within('output_yoy_pct') }} as output_growth_rank_province,
        {{ rank_within('output_yoy_pct', 'level') }} as output_growth_rank_level,
        {{ rank_within('output_yoy_pct', 'city') }} as output_growth_rank_city,
        {{ rank_within('tax_ytd') }} as tax_rank_province,
        {{ rank_within('tax_ytd', 'level') }} as tax_rank_level,
        {{ rank_within('tax_ytd', 'city') }} as tax_rank_city,
        {{ rank_within('tax_per_mu_annualised') }} as tax_per_mu_rank_province,
        {{ rank_within('tax_per_mu_annualised', 'level') }} as tax_per_mu_rank_level,
        {{ rank_within('tax_per_mu_annualised', 'city') }} as tax_per_mu_rank_city
    from scored

)

select * from final
