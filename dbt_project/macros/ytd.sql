{#-
    The statistical conventions for year-to-date figures, in one place.

    month_from_ytd: a month's own value is this period's YTD minus the
    previous period's YTD of the same year. There is no January filing, so
    February's YTD (1-2月) is the value for two months. When the previous
    period is missing the month is unknown: NULL, never the YTD.
-#}
{% macro month_from_ytd(ytd, partition_by) -%}
    case
        when month(period) = 2 then {{ ytd }}
        when lag(period) over (
            partition by {{ partition_by }}, year(period) order by period
        ) = cast(period - interval 1 month as date)
            then round({{ ytd }} - lag({{ ytd }}) over (
                partition by {{ partition_by }}, year(period) order by period
            ), {{ var('amount_decimals') }})
    end
{%- endmacro %}

{#-
    growth_pct: growth in percent of `current` over `base`, NULL when the base
    is missing or not positive (no growth from nothing). Validation computes
    it alike (expectations/check_frames.py growth_pct).
-#}
{% macro growth_pct(current, base) -%}
    case when {{ base }} > 0
        then round(({{ current }} / {{ base }} - 1) * 100, {{ var('growth_decimals') }})
    end
{%- endmacro %}

{#-
    The park's growth as published: reported, or — the cell left blank, both
    amounts there — derived from the filing's own 本年累计 and 上年同期;
    yoy_is_derived says which.
-#}
{% macro growth_columns(reported, ytd, prior) -%}
        coalesce({{ reported }}, {{ growth_pct(ytd, prior) }}) as yoy_pct,
        {{ reported }} is null and {{ growth_pct(ytd, prior) }} is not null as yoy_is_derived
{%- endmacro %}

{#- The same report period one year earlier. -#}
{% macro last_year(period) -%}
    cast({{ period }} - interval 1 year as date)
{%- endmacro %}
