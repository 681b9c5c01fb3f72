{#- The lineage every raw data row carries (sources/raw_store.py LINEAGE): which filing, which cell row. -#}
{% macro lineage_columns() -%}
        filing_id,
        file_name,
        sheet,
        row_number,
        park_code,
        period,
        filed_date,
        revision,
        received_at
{%- endmacro %}
