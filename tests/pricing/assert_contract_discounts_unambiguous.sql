{#- At most one contract discount may win for a cost line. int_llm_cost_lines applies, per priced cost line, the
    discount in force with the fewest wildcards (then, arbitrarily, the lowest discount_id). Two discounts in force
    for the same line with the same, smallest wildcard count (e.g. `model m / tier * / usage *` and
    `model * / tier * / usage output`, both two wildcards) are a tie the seed must resolve: the discount applied
    would depend on ids, not on intent. Returns one row per cost line with a tie at rank 1, with the tied discounts.
    Matching is re-derived here from the seed, independently of the model's ranking.

    Manual check that this test can fail (done 2026-11-30, DuckDB): append to seeds/rate_cards/rate_card_contract_discounts.csv
        tie-a,c1,openai,*,*,output,0.10,2024-01-01,,tie check
        tie-b,c1,openai,*,standard,*,0.20,2024-01-01,,tie check
    then `dbt build -s rate_card_contract_discounts+` fails this test with one row per priced openai
    standard output line (first_tied_discount_id tie-a, last_tied_discount_id tie-b); remove the rows again. -#}

with

int_llm_cost_lines as (

    select * from {{ ref('int_llm_cost_lines') }}

),

stg_rate_cards__contract_discounts as (

    select * from {{ ref('stg_rate_cards__contract_discounts') }}

),

matching_discounts as (

    select
        cost_lines.cost_line_id,
        discounts.discount_id,
        discounts.discount_pct,
        discounts.wildcard_count,
        min(discounts.wildcard_count) over (partition by cost_lines.cost_line_id) as best_wildcard_count
    from int_llm_cost_lines as cost_lines
    inner join stg_rate_cards__contract_discounts as discounts
        on
            cost_lines.provider = discounts.provider
            and discounts.model_id in (cost_lines.model_id, '*')
            and discounts.service_tier in (cost_lines.service_tier, '*')
            and discounts.usage_type in (cost_lines.usage_type, '*')
            and cost_lines.call_date >= discounts.valid_from
            and cost_lines.call_date < discounts.valid_to_effective
    where cost_lines.price_id is not null

),

final as (

    select
        cost_line_id,
        best_wildcard_count,
        count(*) as tied_discount_count,
        min(discount_id) as first_tied_discount_id,
        max(discount_id) as last_tied_discount_id,
        min(discount_pct) as min_discount_pct,
        max(discount_pct) as max_discount_pct
    from matching_discounts
    where wildcard_count = best_wildcard_count
    group by cost_line_id, best_wildcard_count
    having count(*) > 1

)

select * from final
