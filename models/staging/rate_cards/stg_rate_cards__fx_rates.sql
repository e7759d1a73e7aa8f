with

rate_card_fx_rates as (

    select * from {{ ref('rate_card_fx_rates') }}

),

final as (

    select
        cast(upper(trim(currency_from)) as {{ dbt.type_string() }}) as currency_from,
        cast(upper(trim(currency_to)) as {{ dbt.type_string() }}) as currency_to,
        {{ dbt.concat(["upper(trim(currency_from))", "'|'", "upper(trim(currency_to))"]) }} as currency_pair,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        coalesce(cast(valid_to as date), {{ open_ended_date() }}) as valid_to_effective,
        cast(rate as decimal(38, 12)) as rate,
        cast(source as {{ dbt.type_string() }}) as source
    from rate_card_fx_rates

)

select * from final
