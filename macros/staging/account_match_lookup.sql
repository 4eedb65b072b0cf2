{#- Lookup that quarantines a row whose `account_id` is not the account of its user
    (`stg_app__users`) as `account_mismatch`. It reads the join of the row's orphan_user
    lookup, which must come first and carry the user's account:
    `orphan_lookup(ref('stg_app__users'), user_column, 'orphan_user', carry=['account_id'])`
    (one join of the users, not two). Rows without a user are not checked; an unknown
    user is caught first by that lookup. -#}
{% macro account_match_lookup(user_column='user_id') %}
    {%- set alias = 'known_' ~ user_column -%}
    {{ return({
        'alias': alias,
        'rule': 'account_mismatch',
        'when': 'src.' ~ user_column ~ ' is not null',
        'fails': 'not coalesce(' ~ alias ~ '.account_id = src.account_id, false)',
    }) }}
{% endmacro %}
