{#- A 64-bit integer key for a text value (a bigint on every engine): the rollups of
    the big event tables group and join on it instead of the string id, which a hash
    table and a column store hold far more cheaply. Each engine has its own hash
    (DuckDB `hash` halved into the bigint range, PostgreSQL `hashtextextended`, Spark
    `xxhash64`), so a key is only compared with keys of the same build. Two ids could
    share a key: the generic test `hash_key_is_unique` (on stg_app__users.user_id,
    stg_crm__accounts.account_id and stg_app__features.feature_key) fails the build when
    two users, accounts or features do. -#}
{% macro hash_key(expression) -%}
    {{- adapter.dispatch('hash_key', 'saas_segments')(expression) -}}
{%- endmacro %}

{#- hash_key of a value that may be null, null for null (engines hash a null to a
    constant, or to null). -#}
{% macro nullable_hash_key(expression) -%}
    case when {{ expression }} is not null then {{ hash_key(expression) }} end
{%- endmacro %}

{% macro default__hash_key(expression) -%}
    {{ exceptions.raise_compiler_error("hash_key has no 64-bit hash for adapter '" ~ adapter.type() ~ "': add a " ~ adapter.type() ~ "__hash_key macro") }}
{%- endmacro %}

{% macro duckdb__hash_key(expression) -%}
    cast(hash({{ expression }}) >> 1 as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro postgres__hash_key(expression) -%}
    hashtextextended({{ expression }}, 0)
{%- endmacro %}

{% macro spark__hash_key(expression) -%}
    xxhash64({{ expression }})
{%- endmacro %}
