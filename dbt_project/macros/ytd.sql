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
    is missing or not positive (no growth from nothing).
-#}
{% macro growth_pct(current, base) -%}
    case when {{ base }} > 0 then round(({{ current }} / {{ base }} - 1) * 100, 2) end
{%- endmacro %}

{#- The same report period one year earlier. -#}
{% macro last_year(period) -%}
    cast({{ period }} - interval 1 year as date)
{%- endmacro %}
