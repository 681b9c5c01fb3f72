with

source as (

    select * from {{ source('raw', 'rejections') }}

),

final as (

    select
        arrival_seq,
        file_sha256,
        file_name,
        received_at,
        park_filed,
        period_filed,
        sheet,
        row_number,
        column_name,
        rule,
        message,
        value
    from source

)

select * from final
