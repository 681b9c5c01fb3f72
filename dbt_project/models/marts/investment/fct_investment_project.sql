{#-
    One row per project (accumulating snapshot): the latest current filing
    that lists the project gives its stage and figures; dates reached in an
    earlier filing are kept when a later one leaves them blank.
-#}
with

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

    select
        park_code,
        project_code,
        min(signed_date) as signed_date,
        min(started_date) as started_date,
        min(production_date) as production_date,
        min(period) as first_period
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
            coalesce(banded.production_date, milestones.production_date)
        ) as days_signed_to_production,
        banded.contract_amount,
        banded.funds_in_place_ytd,
        banded.fdi_usd,
        banded.stage,
        banded.size_band,
        banded.is_returning_hunan_merchant,
        banded.is_fortune500,
        milestones.first_period,
        banded.period as last_period,
        {{ source_columns('banded') }}
    from banded
    inner join milestones
        on banded.park_code = milestones.park_code
        and banded.project_code = milestones.project_code
    left join origins
        on banded.investor_origin = origins.investor_origin

)

select * from final
