{#- A canceled or ended period must say when it ended: without a period_end it would
    count as paying forever, so it is quarantined (`ended_without_period_end`).
    An overlapping period is quarantined when it starts before the end of an earlier
    staged period of the same account (an open period counts as never ending). -#}
{{ stage_raw_table(
    'billing', 'subscriptions', raw_relation('billing', 'subscriptions'),
    lookups=[
        orphan_lookup(ref('stg_crm__accounts'), 'account_id', 'orphan_account'),
        orphan_lookup(ref('stg_billing__plans'), 'plan_id', 'orphan_plan'),
    ] + currency_lookups('period_start'),
    rules=[
        ['invalid_amount', 'amount < 0'],
        ['invalid_period', 'period_end <= period_start'],
        ['ended_without_period_end', "status in ('canceled', 'ended') and period_end is null"],
    ],
    window_rules=[[
        'overlapping_period',
        "period_start < max(coalesce(period_end, cast('9999-12-31' as date))) over ("
        ~ "partition by account_id, _is_candidate order by period_start, subscription_id "
        ~ "rows between unbounded preceding and 1 preceding)",
    ]],
    extra_columns={
        'amount_usd': 'cast(amount * usd_per_unit as decimal(18, 4))',
        'mrr_usd': divide_money('amount * usd_per_unit', "case when billing_interval = 'year' then 12 else 1 end"),
    },
) }}
