{#- An active day: a login or a feature use on it (page views alone do not count). One
    definition for the daily store's readers (int_user_activity_daily) and the per-user
    totals (int_events_aggregated_to_users). -#}
{% macro is_active_day(logins, feature_uses) -%}
    ({{ logins }} > 0 or {{ feature_uses }} > 0)
{%- endmacro %}
