{#-
    The headline indicators of sheet 主要指标, as sources/template.py
    INDICATORS defines them (written to reference.indicators on every run):
    what each one measures, in what unit, and whether its figures may be
    summed over parks and over months — a BI tool must not add up growth
    rates, nor a stock's month-end levels over months.
-#}
with

indicators as (

    select * from {{ source('reference', 'indicators') }}

),

final as (

    select
        indicator,
        code as indicator_code,
        english as indicator_en,
        unit,
        kind,
        adds_over_parks,
        adds_over_months,
        parent as parent_indicator,
        sort_order as display_order
    from indicators

)

select * from final
