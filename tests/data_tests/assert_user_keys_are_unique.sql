{#- The per-feature rollup groups events on `hash_key(user_id)` and
    int_user_feature_usage joins it back to the user: two users with one key would
    merge their feature use. Fails on any key shared by two user rows. -#}
with

user_keys as (
    select {{ hash_key('user_id') }} as user_key
    from {{ ref('stg_app__users') }}
)

select
    user_key,
    count(*) as user_rows
from user_keys
group by user_key
having count(*) > 1
