{#-
    Every investor location (投资方所在地) the parks have written, with the
    region group it belongs to. A city on the list wins over its province
    (湖南省长沙市 is 长株潭, not 省内其他); among equals the longest name wins.
    A text that matches nothing is 未识别 — never guessed into a group.
-#}
with

projects as (

    select * from {{ ref('stg_raw__projects') }}

),

origins as (

    select * from {{ source('reference', 'investor_origins') }}

),

filed as (

    select distinct investor_origin
    from projects
    where investor_origin is not null

),

candidates as (

    select
        filed.investor_origin,
        origins.origin as matched_origin,
        origins.origin_group,
        origins.scope,
        row_number() over (
            partition by filed.investor_origin
            order by
                case origins.scope
                    when 'city' then 1 when 'region' then 2
                    when 'province' then 3 else 4
                end,
                length(origins.origin) desc
        ) as preference
    from filed
    inner join origins
        on contains(filed.investor_origin, origins.origin)

),

final as (

    select
        filed.investor_origin,
        candidates.matched_origin,
        coalesce(candidates.origin_group, '未识别') as origin_group,
        candidates.scope as matched_scope
    from filed
    left join candidates
        on filed.investor_origin = candidates.investor_origin
        and candidates.preference = 1

)

select * from final
