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

{#- Where a mart row came from: its filing, and the file, sheet and row of the cell. -#}
{% macro source_columns(relation) -%}
        {{ relation }}.filing_id,
        {{ relation }}.file_name as source_file,
        {{ relation }}.sheet as source_sheet,
        {{ relation }}.row_number as source_row
{%- endmacro %}
