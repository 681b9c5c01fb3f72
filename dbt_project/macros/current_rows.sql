{#-
    The rows of a staging model that belong to the current filing of their
    park and period: only the filing that supersedes all others counts. Each
    row carries the key of the park version in effect for its period
    (int_park_periods_resolved holds the rule), the key facts join dim_park on.
-#}
{% macro current_rows(staging_model) -%}
    select
        staged.*,
        versions.park_version_key
    from {{ ref(staging_model) }} as staged
    inner join {{ ref('int_filings_ranked') }} as filings
        on staged.filing_id = filings.filing_id
        and filings.is_current
    left join {{ ref('int_park_periods_resolved') }} as versions
        on staged.park_code = versions.park_code
        and staged.period = versions.period
{%- endmacro %}
