{#- The catalogue of rule inputs the measurable gate checks (segments.md "Segment
    quality gates"). A segment names the inputs its rule needs in
    `meta.segment.inputs`; segment_quality measures, per input, the share of its
    ELIGIBLE population (the entities that should have the input) that has it, and
    judges a segment on its weakest input against the input's warn / error floors
    (var `input_coverage_floors`). Each input is one select of
    (entity_id, has_input) over its eligible population:

      events_recent  user     non-deleted users of paying accounts or accounts with a
                              running trial, signed up before the recent window: any
                              event in the recent window
      arr_usd        account  accounts with a paid-plan subscription row running on
                              as_of in the raw feed (staged or quarantined): a staged
                              period, i.e. ARR converted to USD
      nps_recent     user     non-deleted reachable users who signed up before the NPS
                              window: a response within nps_window_days
      potential_arr  account  paying accounts and accounts with a running trial: a CRM
                              potential ARR
      trial_outcome  account  trials whose scheduled end is before as_of: a known
                              outcome (converted_at set, or no paid subscription started
                              after the trial began, so it did not convert)
      crm_profile    account  accounts on as_of: industry and employee count known
      user_profile   user     non-deleted users on as_of: role known

    Adding an input = one entry here and its floors in `input_coverage_floors`. -#}
{% macro quality_input_names() %}
    {{ return(['events_recent', 'arr_usd', 'nps_recent', 'potential_arr', 'trial_outcome', 'crm_profile', 'user_profile']) }}
{% endmacro %}

{% macro quality_input_sql(name) %}
    {%- if name == 'events_recent' -%}
        select
            users.user_id as entity_id,
            max(case when engagement.event_days_recent > 0 then 1 else 0 end) = 1 as has_input
        from {{ ref('int_users_as_of') }} as users
        cross join {{ ref('int_as_of_date') }} as as_of
        left join {{ ref('int_account_revenue') }} as revenue
            on users.account_id = revenue.account_id
        left join {{ ref('int_user_engagement') }} as engagement
            on users.user_id = engagement.user_id
        where
            not users.is_deleted
            and users.signup_date < as_of.recent_start_date
            and (
                coalesce(revenue.is_paying, false)
                or users.account_id in (select trials.account_id from {{ ref('int_trials') }} as trials where trials.is_running)
            )
        group by users.user_id
    {%- elif name == 'arr_usd' -%}
        select
            raw_periods.account_id as entity_id,
            max(case when revenue.is_paying then 1 else 0 end) = 1 as has_input
        from {{ ref('base_billing__subscriptions') }} as raw_periods
        cross join {{ ref('int_as_of_date') }} as as_of
        inner join {{ ref('stg_billing__plans') }} as plans
            on raw_periods.plan_id = plans.plan_id and plans.is_paid
        left join {{ ref('int_account_revenue') }} as revenue
            on raw_periods.account_id = revenue.account_id
        where
            raw_periods._row_status != 'collapsed'
            and raw_periods.period_start <= as_of.as_of_date
            and (raw_periods.period_end is null or raw_periods.period_end > as_of.as_of_date)
        group by raw_periods.account_id
    {%- elif name == 'nps_recent' -%}
        select
            users.user_id as entity_id,
            max(case when latest.user_id is not null then 1 else 0 end) = 1 as has_input
        from {{ ref('int_users_as_of') }} as users
        cross join {{ ref('int_as_of_date') }} as as_of
        left join {{ ref('int_nps_latest') }} as latest
            on users.user_id = latest.user_id
        where
            not users.is_deleted
            and users.is_reachable
            and users.signup_date <= {{ dbt.dateadd('day', 1 - var('nps_window_days'), 'as_of.as_of_date') }}
        group by users.user_id
    {%- elif name == 'potential_arr' -%}
        select
            accounts.account_id as entity_id,
            accounts.potential_arr_usd is not null as has_input
        from {{ ref('int_accounts_as_of') }} as accounts
        left join {{ ref('int_account_revenue') }} as revenue
            on accounts.account_id = revenue.account_id
        where
            coalesce(revenue.is_paying, false)
            or accounts.account_id in (select running.account_id from {{ ref('int_trials') }} as running where running.is_running)
    {%- elif name == 'trial_outcome' -%}
        select
            trials.trial_id as entity_id,
            trials.converted_at is not null
            or max(case when periods.account_id is not null then 1 else 0 end) = 0 as has_input
        from {{ ref('int_trials') }} as trials
        cross join {{ ref('int_as_of_date') }} as as_of
        left join {{ ref('int_subscription_periods') }} as periods
            on
                trials.account_id = periods.account_id
                and periods.is_paid
                and periods.period_start >= cast(trials.started_at as date)
                and periods.period_start <= as_of.as_of_date
        where trials.ends_at < as_of.as_of_end_date
        group by trials.trial_id, trials.converted_at
    {%- elif name == 'crm_profile' -%}
        select
            account_id as entity_id,
            industry is not null and employee_count is not null as has_input
        from {{ ref('int_accounts_as_of') }}
    {%- elif name == 'user_profile' -%}
        select
            user_id as entity_id,
            role is not null as has_input
        from {{ ref('int_users_as_of') }}
        where not is_deleted
    {%- else -%}
        {{ exceptions.raise_compiler_error("unknown quality input '" ~ name ~ "'; known: " ~ quality_input_names() | join(', ')) }}
    {%- endif -%}
{% endmacro %}
