{#-
    Rank (1 = highest) of `value` among the parks of the same period and
    `partition_by`; parks with no value are not ranked (NULL), not last.
-#}
{% macro rank_within(value, partition_by=none) -%}
    case when {{ value }} is not null then rank() over (
        partition by period{% if partition_by %}, {{ partition_by }}{% endif %}, {{ value }} is null
        order by {{ value }} desc
    ) end
{%- endmacro %}
