{#- Every raw contract table and the staging model that cleans it. The base model of
    `stg_<source>__<entity>` is `base_<source>__<entity>`; the quarantine and the
    load audit are unions over this list. -#}
{% macro raw_staging_tables() %}
    {{ return([
        {'source': 'crm', 'table': 'accounts', 'model': 'stg_crm__accounts'},
        {'source': 'app', 'table': 'users', 'model': 'stg_app__users'},
        {'source': 'app', 'table': 'features', 'model': 'stg_app__features'},
        {'source': 'app', 'table': 'events', 'model': 'stg_app__events'},
        {'source': 'billing', 'table': 'plans', 'model': 'stg_billing__plans'},
        {'source': 'billing', 'table': 'trials', 'model': 'stg_billing__trials'},
        {'source': 'billing', 'table': 'subscriptions', 'model': 'stg_billing__subscriptions'},
        {'source': 'billing', 'table': 'invoices', 'model': 'stg_billing__invoices'},
        {'source': 'billing', 'table': 'fx_rates', 'model': 'stg_billing__fx_rates'},
        {'source': 'survey', 'table': 'nps_responses', 'model': 'stg_survey__nps_responses'},
        {'source': 'web', 'table': 'web_touches', 'model': 'stg_web__touches'},
        {'source': 'helpdesk', 'table': 'support_tickets', 'model': 'stg_helpdesk__tickets'},
        {'source': 'cs', 'table': 'onboarding_milestones', 'model': 'stg_cs__onboarding_milestones'},
    ]) }}
{% endmacro %}

{#- Lookup that quarantines rows whose `column` names no staged row of `model`; `carry`
    names more columns of that row for a later lookup reading the same join
    (account_match_lookup). -#}
{% macro orphan_lookup(model_relation, column, rule, key=none, optional=false, carry=[]) %}
    {%- set key = key or column -%}
    {%- set alias = 'known_' ~ column -%}
    {{ return({
        'relation': model_relation,
        'alias': alias,
        'columns': [key] + carry,
        'source_column': column,
        'on': alias ~ '.' ~ key ~ ' = src.' ~ column,
        'rule': rule,
        'when': ('src.' ~ column ~ ' is not null') if optional else 'true',
    }) }}
{% endmacro %}

{#- Lookups that check a money row's currency and find its USD rate on `date_column`:
    the latest rate on or before that date. USD is always 1. Both are keyed by the
    row's currency: staged by file, a row is checked again when its currency's rows
    changed (a revised rate). -#}
{% macro currency_lookups(date_column) %}
    {{ return([
        {
            'relation': ref('ref_currencies'), 'alias': 'known_currency', 'columns': ['currency_code'],
            'source_column': 'currency',
            'on': 'known_currency.currency_code = src.currency', 'rule': 'unknown_currency',
        },
        {
            'relation': ref('stg_billing__fx_rates'), 'alias': 'fx',
            'columns': ['currency', 'rate_date', 'valid_to', 'usd_per_unit'],
            'source_column': 'currency',
            'on': "fx.currency = src.currency and src.currency <> 'USD'"
                ~ ' and cast(src.' ~ date_column ~ ' as date) >= fx.rate_date'
                ~ ' and (fx.valid_to is null or cast(src.' ~ date_column ~ ' as date) < fx.valid_to)',
            'rule': 'missing_fx_rate',
            'when': "src.currency <> 'USD'",
            'select': {'usd_per_unit': "case when src.currency = 'USD' then 1 else fx.usd_per_unit end"},
        },
    ]) }}
{% endmacro %}
