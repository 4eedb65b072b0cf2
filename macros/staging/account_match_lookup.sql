{#- Lookup that quarantines a row whose `account_id` is not the account of its user
    (`stg_app__users`) as `account_mismatch`. Rows without a user are not checked; an
    unknown user is caught first by the row's orphan_user lookup. -#}
{% macro account_match_lookup(user_column='user_id') %}
    {{ return({
        'relation': ref('stg_app__users'),
        'alias': 'user_account',
        'columns': ['user_id', 'account_id'],
        'on': 'user_account.user_id = src.' ~ user_column ~ ' and user_account.account_id = src.account_id',
        'rule': 'account_mismatch',
        'when': 'src.' ~ user_column ~ ' is not null',
    }) }}
{% endmacro %}
