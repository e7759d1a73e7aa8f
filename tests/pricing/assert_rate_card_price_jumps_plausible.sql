{{ config(severity='warn') }}
-- Warns when a price changes by more than the factor var rate_card_price_jump_warn_factor (default 3) between
-- consecutive versions of the same key: usually a per-token vs per-million typo. A real change is acknowledged by
-- starting the new row's note with `verified change:`.
with

prices as (

    select * from {{ ref('stg_rate_cards__prices') }}

),

versions as (

    select
        price_key,
        price_id,
        valid_from,
        price,
        note,
        lag(price) over (partition by price_key order by valid_from) as previous_price,
        lag(price_id) over (partition by price_key order by valid_from) as previous_price_id
    from prices

)

select *
from versions
where
    previous_price is not null
    and coalesce(note, '') not like 'verified change:%'
    and (
        price > previous_price * {{ var('rate_card_price_jump_warn_factor') }}
        or previous_price > price * {{ var('rate_card_price_jump_warn_factor') }}
    )
