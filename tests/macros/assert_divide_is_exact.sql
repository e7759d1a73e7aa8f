-- The divide macro is exact to the 12th decimal on every engine (no pass through a float). Hand-computed cases:
-- 1/3 = 0.333333333333; 123456.789012345678/0.87 = 141904.355186604227|5 (truncated on DuckDB, rounded on engines
-- with exact numeric division: both within 1e-12); division by zero is NULL. Returns the failing cases.
with cases as (
    select
        'one_third' as case_name,
        {{ divide('cast(1 as decimal(38, 12))', 'cast(3 as decimal(38, 12))') }} as actual,
        cast(0.333333333333 as decimal(38, 12)) as expected
    union all
    select
        'fx_inverse' as case_name,
        {{ divide('cast(123456.789012345678 as decimal(38, 12))', 'cast(0.87 as decimal(38, 12))') }} as actual,
        cast(141904.355186604227 as decimal(38, 12)) as expected
    union all
    select
        'negative' as case_name,
        {{ divide('cast(-10 as decimal(38, 12))', 'cast(4 as decimal(38, 12))') }} as actual,
        cast(-2.5 as decimal(38, 12)) as expected
)

select *
from cases
where abs(actual - expected) > cast(0.000000000001 as decimal(38, 12))
union all
select
    'by_zero' as case_name,
    {{ divide('cast(5 as decimal(38, 12))', 'cast(0 as decimal(38, 12))') }} as actual,
    cast(null as decimal(38, 12)) as expected
where {{ divide('cast(5 as decimal(38, 12))', 'cast(0 as decimal(38, 12))') }} is not null
