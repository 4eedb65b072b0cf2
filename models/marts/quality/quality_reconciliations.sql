{{ config(materialized='table') }}

{#- Independent computations that must agree on the current as_of, one row per check
    (segments.md "Segment quality gates", consistent). Each side is computed from a
    different model or from staged rows directly, never from the other side:
      mrr_vs_invoices  MRR per account-month from subscriptions (int_mrr_monthly) vs
                       the paid invoices covering the month's measuring day
      arr_three_way    ARR over the value tier segments = dim_accounts ARR =
                       12 x ending MRR of the as_of month in fct_mrr_monthly
      nps_monthly,     NPS overall per month / quarter in fct_nps_monthly /
      nps_quarterly    fct_nps_quarterly recomputed from the staged responses
    segment_quality gates the segments that name a check in
    `meta.segment.reconciliations`. -#}
{%- set text = dbt.type_string() -%}
{%- set float = dbt.type_float() -%}

with

as_of as (
    select
        as_of_date,
        as_of_end_date
    from {{ ref('int_as_of_date') }}
),

account_months as (
    select
        account_id,
        mrr_month,
        measured_on_date,
        mrr_usd
    from {{ ref('int_mrr_monthly') }}
),

invoices as (
    select
        invoice_id,
        account_id,
        subscription_id,
        cast(issued_at as date) as issued_date,
        amount,
        currency,
        amount_usd,
        status
    from {{ ref('stg_billing__invoices') }}
),

subscriptions as (
    select
        subscription_id,
        billing_interval,
        period_end,
        currency,
        amount,
        amount_usd
    from {{ ref('stg_billing__subscriptions') }}
),

-- a subscription's billing dates: each covers the days up to the next one, else one
-- billing interval (never past the period's end)
billing_dates as (
    select
        subscription_id,
        issued_date,
        lead(issued_date) over (partition by subscription_id order by issued_date) as next_issued_date
    from (
        select distinct
            subscription_id,
            issued_date
        from invoices
    ) as distinct_dates
),

paid_coverage as (
    select
        invoices.account_id,
        billing_dates.issued_date as covered_from,
        coalesce(
            billing_dates.next_issued_date,
            case
                when subscriptions.billing_interval = 'year'
                    then cast({{ dbt.dateadd('year', 1, 'billing_dates.issued_date') }} as date)
                else cast({{ dbt.dateadd('month', 1, 'billing_dates.issued_date') }} as date)
            end
        ) as covered_to,
        subscriptions.period_end,
        -- at the rate the subscription's MRR uses (its period start): FX drift between
        -- the period start and the issue date is not a billing mismatch
        case
            when invoices.currency = subscriptions.currency and subscriptions.amount != 0
                then cast(invoices.amount as {{ float }}) * subscriptions.amount_usd / subscriptions.amount
            else invoices.amount_usd
        end
        / case when subscriptions.billing_interval = 'year' then 12 else 1 end as billed_mrr_usd
    from invoices
    inner join billing_dates
        on
            invoices.subscription_id = billing_dates.subscription_id
            and invoices.issued_date = billing_dates.issued_date
    inner join subscriptions on invoices.subscription_id = subscriptions.subscription_id
    where invoices.status = 'paid'
),

account_month_billing as (
    select
        account_months.account_id,
        account_months.mrr_month,
        account_months.mrr_usd,
        coalesce(sum(paid_coverage.billed_mrr_usd), 0) as billed_mrr_usd
    from account_months
    left join paid_coverage
        on
            account_months.account_id = paid_coverage.account_id
            and account_months.measured_on_date >= paid_coverage.covered_from
            and account_months.measured_on_date < paid_coverage.covered_to
            and (paid_coverage.period_end is null or account_months.measured_on_date < paid_coverage.period_end)
    group by account_months.account_id, account_months.mrr_month, account_months.mrr_usd
),

mrr_vs_invoices as (
    select
        'mrr_vs_invoices' as check_name,
        count(*) as compared,
        cast(sum(
            case
                when abs(billed_mrr_usd - mrr_usd)
                    > {{ var('mrr_invoice_tolerance') }}
                    * case when mrr_usd > billed_mrr_usd then mrr_usd else billed_mrr_usd end
                    then 1
                else 0
            end
        ) as bigint) as mismatched,
        max(abs(billed_mrr_usd - mrr_usd)) as gap
    from account_month_billing
    where mrr_usd > 0 or billed_mrr_usd > 0
),

tier_arr as (
    select sum(arr_usd) as arr_usd
    from (
        select arr_usd from {{ ref('seg_value_tier_high') }}
        union all
        select arr_usd from {{ ref('seg_value_tier_medium') }}
        union all
        select arr_usd from {{ ref('seg_value_tier_low') }}
    ) as tiers
),

account_arr as (
    select sum(arr_usd) as arr_usd
    from {{ ref('dim_accounts') }}
),

monthly_arr as (
    select sum(12 * mrr.ending_mrr) as arr_usd
    from {{ ref('fct_mrr_monthly') }} as mrr
    inner join as_of on mrr.mrr_month = cast({{ dbt.date_trunc('month', 'as_of.as_of_date') }} as date)
),

arr_three_way as (
    select
        'arr_three_way' as check_name,
        3 as compared,
        cast(
            case when abs(tier_arr.arr_usd - account_arr.arr_usd) > {{ var('max_arr_gap_usd') }} then 1 else 0 end
            + case when abs(account_arr.arr_usd - monthly_arr.arr_usd) > {{ var('max_arr_gap_usd') }} then 1 else 0 end
            + case when abs(tier_arr.arr_usd - monthly_arr.arr_usd) > {{ var('max_arr_gap_usd') }} then 1 else 0 end
            as bigint
        ) as mismatched,
        case
            when abs(tier_arr.arr_usd - account_arr.arr_usd) > abs(account_arr.arr_usd - monthly_arr.arr_usd)
                then abs(tier_arr.arr_usd - account_arr.arr_usd)
            else abs(account_arr.arr_usd - monthly_arr.arr_usd)
        end as gap
    from tier_arr
    cross join account_arr
    cross join monthly_arr
),

responses as (
    select
        responses.response_id,
        responses.user_id,
        responses.responded_at,
        responses.score,
        cast({{ dbt.date_trunc('month', 'responses.responded_at') }} as date) as response_month,
        cast({{ dbt.date_trunc('quarter', 'responses.responded_at') }} as date) as response_quarter
    from {{ ref('stg_survey__nps_responses') }} as responses
    inner join as_of on responses.responded_at < as_of.as_of_end_date
),

{%- for grain in ['month', 'quarter'] %}

    latest_by_{{ grain }} as (
        select
            response_{{ grain }} as period_start,
            score,
            row_number() over (
                partition by user_id, response_{{ grain }}
                order by responded_at desc, response_id desc
            ) as user_recency
        from responses
    ),

    recomputed_{{ grain }} as (
        select
            period_start,
            count(*) as responses,
            100.0 * (
                sum(case when score >= 9 then 1 else 0 end) - sum(case when score <= 6 then 1 else 0 end)
            ) / count(*) as nps
        from latest_by_{{ grain }}
        where user_recency = 1
        group by period_start
    ),

    published_{{ grain }} as (
        select
            {{ grain }} as period_start,
            responses,
            nps
        from {{ ref('fct_nps_' ~ grain ~ 'ly') }}
        where dimension = 'overall'
    ),

    nps_{{ grain }}ly as (
        select
            'nps_{{ grain }}ly' as check_name,
            count(*) as compared,
            cast(sum(
                case
                    when
                        recomputed.period_start is null or published.period_start is null
                        or recomputed.responses != published.responses
                        or abs(recomputed.nps - published.nps) > {{ var('max_nps_gap') }}
                        then 1
                    else 0
                end
            ) as bigint) as mismatched,
            max(abs(coalesce(recomputed.nps, 0) - coalesce(published.nps, 0))) as gap
        from recomputed_{{ grain }} as recomputed
        full outer join published_{{ grain }} as published
            on recomputed.period_start = published.period_start
    ),
{%- endfor %}

checks as (
    select
        check_name,
        compared,
        mismatched,
        gap
    from mrr_vs_invoices
    union all
    select
        check_name,
        compared,
        mismatched,
        gap
    from arr_three_way
    union all
    select
        check_name,
        compared,
        mismatched,
        gap
    from nps_monthly
    union all
    select
        check_name,
        compared,
        mismatched,
        gap
    from nps_quarterly
),

limits as (
    select
        'mrr_vs_invoices' as check_name,
        cast({{ var('max_mrr_invoice_mismatch_share') }} as {{ float }}) as max_mismatched_share,
        'account-months whose paid invoices differ from subscription MRR by more than '
        || cast({{ 100 * var('mrr_invoice_tolerance') }} as {{ text }}) || '%' as mismatch_label
    union all
    select
        'arr_three_way' as check_name,
        cast(0 as {{ float }}) as max_mismatched_share,
        'pairs of value tier ARR / dim_accounts ARR / 12 x as_of month ending MRR differing by more than '
        || cast({{ var('max_arr_gap_usd') }} as {{ text }}) || ' USD' as mismatch_label
    union all
    select
        'nps_monthly' as check_name,
        cast(0 as {{ float }}) as max_mismatched_share,
        'months whose fct_nps_monthly overall NPS differs from the staged responses' as mismatch_label
    union all
    select
        'nps_quarterly' as check_name,
        cast(0 as {{ float }}) as max_mismatched_share,
        'quarters whose fct_nps_quarterly overall NPS differs from the staged responses' as mismatch_label
),

judged as (
    select
        checks.check_name,
        checks.compared,
        checks.mismatched,
        cast(checks.mismatched as {{ float }}) / nullif(checks.compared, 0) as mismatched_share,
        cast(checks.gap as {{ float }}) as gap,
        limits.max_mismatched_share,
        limits.mismatch_label
    from checks
    inner join limits on checks.check_name = limits.check_name
)

select
    cast(check_name as {{ text }}) as check_name,
    cast(compared as {{ dbt.type_bigint() }}) as compared,
    cast(mismatched as {{ dbt.type_bigint() }}) as mismatched,
    mismatched_share,
    gap,
    max_mismatched_share,
    coalesce(mismatched_share, 0) <= max_mismatched_share as is_reconciled,
    cast(
        check_name || ': ' || cast(mismatched as {{ text }}) || ' of ' || cast(compared as {{ text }}) || ' '
        || mismatch_label || ' (largest gap ' || cast(cast(gap as decimal(18, 2)) as {{ text }}) || ')'
        as {{ text }}
    ) as reason
from judged
