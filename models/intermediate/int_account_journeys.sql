{#- One row per account with a first trial (int_trials.trial_number = 1), as of
    as_of: the facts behind the journey segments.
    * Trial: start/end are the first trial's started_at and scheduled ends_at; the
      trial has ended when its scheduled end date is before as_of or it was cancelled
      by as_of. converted_at / cancelled_at only count once they happened (int_trials).
    * Conversion: days_to_convert = UTC days from trial start date to conversion date;
      days_converted_before_trial_end = days from conversion date to trial end date
      (negative = after the trial); is_converted_late = converted on or after the
      trial end date minus late_converter_last_trial_days.
    * The conversion period is the first paid subscription period starting on or
      after the conversion date; its start is paid_start_date and its plan is the
      conversion plan.
    * An upgrade is a later paid period whose plan outranks both the previous period
      and the conversion plan (a renewal of an already upgraded plan is not a new
      upgrade); first and last upgrade (date, plan, days after the conversion
      date) and the number of upgrades.
    * Content touches: touches attributed to the account's users
      (int_web_touches_attributed, pre-signup included) with occurred_at up to the
      first trial's scheduled end.
    * Trial active days: UTC days with any active user of the account from the trial
      start date to the earlier of the trial end date and as_of (the daily store's
      account key, `hash_key(account_id)`, joins them to the trial).
    * touch_lead_days: days from the first web touch of the account's users to the
      account's first user signup (positive = touched before signing up).
    * Paid window: active days of the account in the slow_payer_window_days days
      starting on paid_start_date; is_paid_window_complete when the whole window is
      on or before as_of. -#}
with

as_of as (
    select
        as_of_date,
        as_of_end_date
    from {{ ref('int_as_of_date') }}
),

first_trials as (
    select
        trial_id,
        account_id,
        plan_name,
        started_at,
        ends_at,
        converted_at,
        cancelled_at,
        trial_start_date,
        trial_end_date,
        trial_age_days,
        is_running
    from {{ ref('int_trials') }}
    where trial_number = 1
),

periods as (
    select
        account_id,
        plan_name,
        plan_rank,
        is_paid,
        period_start,
        previous_plan_rank
    from {{ ref('int_subscription_periods') }}
),

users as (
    select
        account_id,
        signup_date
    from {{ ref('int_users_as_of') }}
),

activity as (
    select
        account_key,
        activity_date
    from {{ ref('int_user_activity_daily') }}
    where is_active_day
),

touches as (
    select
        account_id,
        occurred_at,
        touch_date,
        is_content_touch
    from {{ ref('int_web_touches_attributed') }}
    where account_id is not null
),

trials as (
    select
        first_trials.trial_id,
        first_trials.account_id,
        {{ hash_key('first_trials.account_id') }} as account_key,
        first_trials.plan_name,
        first_trials.started_at,
        first_trials.ends_at,
        first_trials.converted_at,
        first_trials.cancelled_at,
        first_trials.trial_start_date,
        first_trials.trial_end_date,
        first_trials.trial_age_days,
        first_trials.is_running,
        as_of.as_of_date,
        as_of.as_of_end_date,
        cast(first_trials.converted_at as date) as converted_date,
        case
            when first_trials.trial_end_date < as_of.as_of_date then first_trials.trial_end_date
            else as_of.as_of_date
        end as trial_observed_end_date
    from first_trials
    cross join as_of
),

paid_after_conversion as (
    select
        trials.account_id,
        periods.plan_name,
        periods.plan_rank,
        periods.period_start,
        row_number() over (partition by trials.account_id order by periods.period_start) as period_order
    from trials
    inner join periods
        on
            trials.account_id = periods.account_id
            and periods.is_paid
            and trials.converted_date <= periods.period_start
),

conversion_periods as (
    select
        account_id,
        plan_name,
        plan_rank,
        period_start,
        cast({{ dbt.dateadd('day', var('slow_payer_window_days'), 'period_start') }} as date) as paid_window_end_date
    from paid_after_conversion
    where period_order = 1
),

upgrade_periods as (
    select
        trials.account_id,
        periods.period_start,
        periods.plan_name,
        row_number() over (partition by trials.account_id order by periods.period_start) as upgrade_order,
        row_number() over (partition by trials.account_id order by periods.period_start desc) as upgrade_order_desc
    from trials
    inner join conversion_periods on trials.account_id = conversion_periods.account_id
    inner join periods
        on
            trials.account_id = periods.account_id
            and periods.is_paid
            and conversion_periods.period_start < periods.period_start
            and conversion_periods.plan_rank < periods.plan_rank
            and periods.previous_plan_rank < periods.plan_rank
),

upgrades as (
    select
        account_id,
        max(case when upgrade_order = 1 then period_start end) as first_upgrade_date,
        max(case when upgrade_order = 1 then plan_name end) as first_upgrade_plan_name,
        max(case when upgrade_order_desc = 1 then period_start end) as last_upgrade_date,
        max(case when upgrade_order_desc = 1 then plan_name end) as last_upgrade_plan_name,
        count(*) as upgrades
    from upgrade_periods
    group by account_id
),

paid_since_trial as (
    select
        trials.account_id,
        count(*) as paid_periods_since_trial_start
    from trials
    inner join periods
        on
            trials.account_id = periods.account_id
            and periods.is_paid
            and trials.trial_start_date <= periods.period_start
    group by trials.account_id
),

trial_touches as (
    select
        trials.account_id,
        {{ count_where("touches.is_content_touch and touches.occurred_at <= trials.ends_at") }}
            as content_touches_to_trial_end,
        min(touches.touch_date) as first_touch_date
    from trials
    inner join touches on trials.account_id = touches.account_id
    group by trials.account_id
),

signups as (
    select
        account_id,
        min(signup_date) as first_signup_date
    from users
    group by account_id
),

trial_windows as (
    select
        trials.account_id,
        trials.account_key,
        trials.trial_start_date,
        trials.trial_observed_end_date,
        conversion_periods.period_start,
        conversion_periods.paid_window_end_date
    from trials
    left join conversion_periods on trials.account_id = conversion_periods.account_id
),

trial_activity as (
    {#- only the account's active days in its trial or paid window are joined (an
        account with none counts 0 days below) -#}
    select
        trial_windows.account_id,
        count(
            distinct case
                when
                    activity.activity_date
                    between trial_windows.trial_start_date and trial_windows.trial_observed_end_date
                    then activity.activity_date
            end
        ) as trial_active_days,
        count(
            distinct case
                when activity.activity_date >= trial_windows.period_start
                    and activity.activity_date < trial_windows.paid_window_end_date
                    then activity.activity_date
            end
        ) as paid_window_active_days
    from trial_windows
    inner join activity
        on
            trial_windows.account_key = activity.account_key
            and (
                (
                    trial_windows.trial_start_date <= activity.activity_date
                    and trial_windows.trial_observed_end_date >= activity.activity_date
                )
                or (
                    trial_windows.period_start <= activity.activity_date
                    and trial_windows.paid_window_end_date > activity.activity_date
                )
            )
    group by trial_windows.account_id
),

final as (
    select
        trials.account_id,
        trials.trial_id,
        trials.as_of_date,
        trials.plan_name as trial_plan_name,
        trials.started_at as trial_started_at,
        trials.ends_at as trial_ends_at,
        trials.trial_start_date,
        trials.trial_end_date,
        trials.trial_age_days,
        trials.is_running as is_trial_running,
        trials.cancelled_at,
        trials.converted_at,
        trials.converted_date,
        conversion_periods.period_start as paid_start_date,
        conversion_periods.plan_name as conversion_plan_name,
        conversion_periods.plan_rank as conversion_plan_rank,
        upgrades.first_upgrade_date,
        upgrades.first_upgrade_plan_name,
        upgrades.last_upgrade_date,
        upgrades.last_upgrade_plan_name,
        coalesce(upgrades.upgrades, 0) as upgrades_after_conversion,
        trial_touches.first_touch_date,
        signups.first_signup_date,
        (trials.trial_end_date < trials.as_of_date or trials.cancelled_at is not null) as has_trial_ended,
        (trials.converted_at is not null) as is_converted,
        coalesce(paid_since_trial.paid_periods_since_trial_start, 0) > 0 as has_paid_since_trial_start,
        {{ dbt.datediff('trials.trial_start_date', 'trials.converted_date', 'day') }}
            as days_to_convert,
        {{ dbt.datediff('trials.converted_date', 'trials.trial_end_date', 'day') }}
            as days_converted_before_trial_end,
        coalesce(
            {{ dbt.datediff('trials.converted_date', 'trials.trial_end_date', 'day') }}
            <= {{ var('late_converter_last_trial_days') }},
            false
        ) as is_converted_late,
        {{ dbt.datediff('trials.converted_date', 'upgrades.first_upgrade_date', 'day') }}
            as days_to_first_upgrade,
        {{ dbt.datediff('trials.converted_date', 'upgrades.last_upgrade_date', 'day') }}
            as days_to_last_upgrade,
        coalesce(trial_touches.content_touches_to_trial_end, 0) as content_touches_to_trial_end,
        coalesce(trial_activity.trial_active_days, 0) as trial_active_days,
        {{ dbt.datediff('trial_touches.first_touch_date', 'signups.first_signup_date', 'day') }}
            as touch_lead_days,
        case
            when conversion_periods.period_start is not null
                then coalesce(trial_activity.paid_window_active_days, 0)
        end as paid_window_active_days,
        coalesce(conversion_periods.paid_window_end_date <= trials.as_of_end_date, false) as is_paid_window_complete
    from trials
    left join conversion_periods on trials.account_id = conversion_periods.account_id
    left join upgrades on trials.account_id = upgrades.account_id
    left join paid_since_trial on trials.account_id = paid_since_trial.account_id
    left join trial_touches on trials.account_id = trial_touches.account_id
    left join signups on trials.account_id = signups.account_id
    left join trial_activity on trials.account_id = trial_activity.account_id
)

select
    account_id,
    trial_id,
    as_of_date,
    trial_plan_name,
    trial_started_at,
    trial_ends_at,
    trial_start_date,
    trial_end_date,
    trial_age_days,
    is_trial_running,
    has_trial_ended,
    cancelled_at,
    converted_at,
    converted_date,
    is_converted,
    has_paid_since_trial_start,
    days_to_convert,
    days_converted_before_trial_end,
    is_converted_late,
    paid_start_date,
    conversion_plan_name,
    conversion_plan_rank,
    first_upgrade_date,
    first_upgrade_plan_name,
    days_to_first_upgrade,
    last_upgrade_date,
    last_upgrade_plan_name,
    days_to_last_upgrade,
    upgrades_after_conversion,
    content_touches_to_trial_end,
    trial_active_days,
    first_touch_date,
    first_signup_date,
    touch_lead_days,
    paid_window_active_days,
    is_paid_window_complete
from final
