{#- The daily rollups keep the features a user used as a bigint bit set
    (macros/bits/bitmask.sql): a catalog of more features than it holds fails here,
    before any rollup is built. -#}
select
    feature_key,
    feature_bit
from {{ ref('stg_app__features') }}
where feature_bit >= {{ bit_set_capacity() }}
