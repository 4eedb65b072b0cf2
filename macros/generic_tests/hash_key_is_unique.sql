{#- Generic test: no two rows share `hash_key(column)`. The event rollups group on the
    hash keys of user, account and feature ids, and their readers join them back to the
    ids: two ids with one key would merge their activity. -#}
{% test hash_key_is_unique(model, column_name) %}
with

hashed as (
    select {{ hash_key(column_name) }} as hashed_key
    from {{ model }}
)

select
    hashed_key,
    count(*) as copies
from hashed
group by hashed_key
having count(*) > 1
{% endtest %}
