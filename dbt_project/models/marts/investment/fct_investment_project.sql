{#-
    One row per project (accumulating snapshot) listed on sheet 招商项目 of
    any current filing: the latest current filing that lists the project
    gives its stage and figures; dates reached in an earlier filing are kept
    when a later one leaves them blank. A project that stops appearing keeps
    its last stage (in_latest_filing says it is no longer listed).

    Each milestone carries the period it was first seen in, so a project
    that skips a stage (已签约 one month, 已投产 the next) has started and
    gone into production in the same period.
-#}
with

filings as (

    select * from {{ ref('int_filings_ranked') }}

),

origins as (

    select * from {{ ref('dim_investor_origin') }}

),

size_bands as (

    select * from {{ source('reference', 'size_bands') }}

),

current_rows as (

    {{ current_rows('stg_raw__projects') }}

),

milestones as (

    {#- Stages as in sources/template.py PROJECT_STAGES: a row at 已投产 has
        started too, whether or not the park filled in 开工日期. -#}
    select
        park_code,
        project_code,
        min(signed_date) as signed_date,
        min(started_date) as started_date,
        min(production_date) as production_date,
        min(period) as signed_first_seen_period,
        min(period) filter (
            where started_date is not null or stage in ('已开工', '已投产')
        ) as started_first_seen_period,
        min(period) filter (
            where production_date is not null or stage = '已投产'
        ) as production_first_seen_period
    from current_rows
    group by park_code, project_code

),

latest as (

    select *
    from current_rows
    qualify row_number() over (
        partition by park_code, project_code order by period desc
    ) = 1

),

park_latest_filings as (

    {#- The park's newest current filing, projects listed or not: a project
        missing from it has stopped appearing. -#}
    select
        park_code,
        filing_id,
        file_format
    from filings
    where is_current
    qualify row_number() over (partition by park_code order by period desc) = 1

),

banded as (

    select
        latest.*,
        size_bands.size_band
    from latest
    left join size_bands
        on latest.contract_amount >= size_bands.min_amount_wan
    qualify row_number() over (
        partition by latest.park_code, latest.project_code
        order by size_bands.min_amount_wan desc nulls last
    ) = 1

),

final as (

    select
        banded.park_code,
        banded.park_version_key,
        banded.project_code,
        banded.project_name,
        banded.investor,
        banded.investor_origin,
        origins.origin_group,
        banded.chain,
        coalesce(banded.signed_date, milestones.signed_date) as signed_date,
        coalesce(banded.started_date, milestones.started_date) as started_date,
        coalesce(banded.production_date, milestones.production_date) as production_date,
        date_diff(
            'day',
            coalesce(banded.signed_date, milestones.signed_date),
            coalesce(banded.started_date, milestones.started_date)
        ) as days_signed_to_start,
        date_diff(
            'day',
            coalesce(banded.signed_date, milestones.signed_date),
            coalesce(banded.production_date, milestones.production_date)
        ) as days_signed_to_production,
        banded.contract_amount,
        banded.funds_in_place_ytd,
        banded.fdi_usd,
        banded.stage,
        banded.size_band,
        banded.is_returning_hunan_merchant,
        banded.is_fortune500,
        milestones.signed_first_seen_period,
        milestones.started_first_seen_period,
        milestones.production_first_seen_period,
        banded.period as last_seen_period,
        {#- A long CSV has no project sheet: whether the project is still
            listed is not known (NULL), never false. -#}
        case
            when park_latest_filings.file_format = 'xlsx'
                then banded.filing_id = park_latest_filings.filing_id
        end as in_latest_filing,
        {{ source_columns('banded') }}
    from banded
    inner join milestones
        on banded.park_code = milestones.park_code
        and banded.project_code = milestones.project_code
    left join park_latest_filings
        on banded.park_code = park_latest_filings.park_code
    left join origins
        on banded.investor_origin = origins.investor_origin

)

select * from final
