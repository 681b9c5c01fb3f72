{#-
    The rows of a staging model that belong to the current filing of their
    park and period: only the filing that supersedes all others counts.
-#}
{% macro current_rows(staging_model) -%}
    select staged.*
    from {{ ref(staging_model) }} as staged
    inner join {{ ref('int_filings_ranked') }} as filings
        on staged.filing_id = filings.filing_id
        and filings.is_current
{%- endmacro %}
