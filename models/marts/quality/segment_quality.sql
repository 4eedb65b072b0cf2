{#- A view on DuckDB (views there bind by name, so it computes on read). Engines that bind
    a view to its tables (PostgreSQL) drop it when a segment table it reads is rebuilt,
    and it reads them through the graph, not ref, so there it is a table: the refresh
    builds it after every segment table exists. -#}
{{ config(materialized=('view' if target.type == 'duckdb' else 'table')) }}

{#- One row per segment key on the current as_of: its figures, the figures of the
    previous published runs it is judged against (segment_quality_history), and a
    pass / warn / fail verdict per criterion with the reason. A view: members are
    recorded by the segment models' post-hooks, so it computes on read. fail = an
    error-level check failed (blocks publishing), warn = a warn-level one did.
    run_id is the dbt invocation that created the view; the refresh records its rows
    under that id once the build is published. -#}
{%- set sources = segment_quality_sources() if execute else [] -%}
{%- set partitions = {
    'value_tier': ['value_tier_high', 'value_tier_medium', 'value_tier_low'],
    'nps_category': ['nps_promoters', 'nps_passives', 'nps_detractors'],
} -%}
{%- set text = dbt.type_string() -%}
{%- set float = dbt.type_float() -%}

with

as_of as (
    select
        as_of_date,
        recent_start_date,
        baseline_start_date,
        baseline_end_date
    from {{ ref('int_as_of_date') }}
),

catalogue as (
    select
        segment_key,
        model_name,
        grain,
        family,
        definition_version,
        definition_hash
    from {{ ref('dim_segments') }}
),

membership_history as (
    select
        as_of_date,
        segment_key,
        entity_type,
        entity_id,
        model_name
    from {{ ref('fct_segment_membership_history') }}
),

previous_runs as (
    select
        run_id,
        recorded_at,
        as_of_date,
        segment_key,
        member_count,
        membership_hash,
        source_fingerprint,
        definition_version,
        definition_hash
    from {{ ref('segment_quality_history') }}
    where run_id != '{{ invocation_id }}'
),

-- the source data this build read, summarised by its row counts per table: two
-- builds with the same fingerprint read the same data
load_audit as (
    select
        source_table,
        raw_rows,
        staged_rows,
        quarantined_rows,
        collapsed_rows
    from {{ ref('stg_load_audit') }}
),

source as (
    select
        {{ dbt.hash(dbt.listagg(dbt.concat([
            "source_table", "':'", "cast(raw_rows as " ~ text ~ ")", "'/'", "cast(staged_rows as " ~ text ~ ")",
            "'/'", "cast(quarantined_rows as " ~ text ~ ")", "'/'", "cast(collapsed_rows as " ~ text ~ ")",
        ]), "';'", "order by source_table")) }} as source_fingerprint
    from load_audit
),

users as (
    select
        user_id,
        is_reachable,
        signup_date
    from {{ ref('int_users_as_of') }}
    where not is_deleted
),

accounts as (
    select
        accounts_as_of.account_id,
        engagement.is_reachable,
        cast(accounts_as_of.created_at as date) as signup_date
    from {{ ref('int_accounts_as_of') }} as accounts_as_of
    left join {{ ref('int_account_engagement') }} as engagement
        on accounts_as_of.account_id = engagement.account_id
),

account_revenue as (
    select
        account_id,
        arr_usd,
        is_paying
    from {{ ref('int_account_revenue') }}
),

value_tiers as (
    select account_id
    from {{ ref('int_account_value_tiers') }}
),

nps_respondents as (
    select user_id
    from {{ ref('int_nps_latest') }}
),

-- what each segment table holds: rows and rows with every metric column non-null
segment_tables as (
    {%- for source in sources if source.relation is not none %}
        select
            '{{ source.model_name }}' as model_name,
            cast({{ source.key_sql }} as {{ text }}) as segment_key,
            count(*) as table_rows,
            cast(sum(
                case
                    when {% for column in source.metrics %}{{ column }} is not null{{ ' and ' if not loop.last }}
                    {%- else %}true{% endfor %}
                        then 1
                    else 0
                end
            ) as bigint) as covered_rows,
            cast('{{ source.metrics | join(", ") }}' as {{ text }}) as metric_columns
        from {{ source.relation }}
        group by cast({{ source.key_sql }} as {{ text }})
        {%- if not loop.last %}
        union all
        {%- endif %}
    {%- else %}
        select
            cast(null as {{ text }}) as model_name,
            cast(null as {{ text }}) as segment_key,
            0 as table_rows,
            0 as covered_rows,
            cast(null as {{ text }}) as metric_columns
        where 1 = 0
    {%- endfor %}
),

missing_tables as (
    {%- for source in sources if source.relation is none %}
        select cast('{{ source.model_name }}' as {{ text }}) as model_name
        {%- if not loop.last %}
        union all
        {%- endif %}
    {%- else %}
        select cast(null as {{ text }}) as model_name
        where 1 = 0
    {%- endfor %}
),

current_members as (
    select
        membership_history.segment_key,
        membership_history.entity_type,
        membership_history.entity_id,
        membership_history.model_name
    from membership_history
    inner join as_of on membership_history.as_of_date = as_of.as_of_date
),

-- segment keys: every single-key segment (a segment without members is a row too) and
-- every key a multi-key model (traits, needs) recorded
segment_keys as (
    select
        catalogue.segment_key,
        catalogue.model_name,
        false as is_multi_key
    from catalogue
    where catalogue.segment_key not like '%*'
    union all
    select distinct
        current_members.segment_key,
        current_members.model_name,
        true as is_multi_key
    from current_members
    inner join catalogue
        on
            current_members.model_name = catalogue.model_name
            and catalogue.segment_key like '%*'
),

segments as (
    select
        segment_keys.segment_key,
        segment_keys.model_name,
        segment_keys.is_multi_key,
        catalogue.grain,
        catalogue.family,
        catalogue.definition_version,
        catalogue.definition_hash
    from segment_keys
    inner join catalogue on segment_keys.model_name = catalogue.model_name
),

entities as (
    select
        'user' as entity_type,
        user_id as entity_id,
        is_reachable,
        signup_date
    from users
    union all
    select
        'account' as entity_type,
        account_id as entity_id,
        coalesce(is_reachable, false) as is_reachable,
        signup_date
    from accounts
),

population as (
    select
        entity_type,
        count(*) as population
    from entities
    group by entity_type
),

signups as (
    select
        cast(sum(case when users.signup_date >= as_of.recent_start_date then 1 else 0 end) as bigint) as recent_signups,
        sum(
            case when users.signup_date between as_of.baseline_start_date and as_of.baseline_end_date then 1 else 0 end
        ) as baseline_signups
    from users
    cross join as_of
),

spike as (
    select
        recent_signups,
        baseline_signups,
        cast(recent_signups as {{ float }}) / {{ var('recent_window_days') }} as recent_signups_per_day,
        cast(baseline_signups as {{ float }}) / {{ var('baseline_window_days') }} as baseline_signups_per_day,
        cast(recent_signups as {{ float }}) / {{ var('recent_window_days') }}
        > {{ var('spike_signup_factor') }} * cast(baseline_signups as {{ float }}) / {{ var('baseline_window_days') }}
            as is_signup_spike
    from signups
),

member_figures as (
    select
        current_members.segment_key,
        count(*) as member_count,
        cast(sum(case when entities.is_reachable then 1 else 0 end) as bigint) as reachable_members,
        cast(sum(case when entities.signup_date >= as_of.recent_start_date then 1 else 0 end) as bigint) as recent_signup_members,
        {{ dbt.hash(dbt.listagg('current_members.entity_id', "','", 'order by current_members.entity_id')) }}
            as membership_hash
    from current_members
    cross join as_of
    left join entities
        on
            current_members.entity_type = entities.entity_type
            and current_members.entity_id = entities.entity_id
    group by current_members.segment_key
),

-- the previous published as_of (before this one) and its members
previous_as_of as (
    select max(previous_runs.as_of_date) as as_of_date
    from previous_runs
    cross join as_of
    where previous_runs.as_of_date < as_of.as_of_date
),

previous_run_figures as (
    select
        previous_runs.segment_key,
        previous_runs.as_of_date,
        previous_runs.member_count,
        row_number() over (partition by previous_runs.segment_key order by previous_runs.recorded_at desc) as recency
    from previous_runs
    inner join previous_as_of on previous_runs.as_of_date = previous_as_of.as_of_date
),

previous_members as (
    select
        membership_history.segment_key,
        membership_history.entity_type,
        membership_history.entity_id
    from membership_history
    inner join previous_as_of on membership_history.as_of_date = previous_as_of.as_of_date
),

overlap as (
    select
        current_members.segment_key,
        count(*) as common_members
    from current_members
    inner join previous_members
        on
            current_members.segment_key = previous_members.segment_key
            and current_members.entity_type = previous_members.entity_type
            and current_members.entity_id = previous_members.entity_id
    group by current_members.segment_key
),

previous_member_counts as (
    select
        segment_key,
        count(*) as members
    from previous_members
    group by segment_key
),

-- the latest earlier run of the same as_of (a rebuild must reproduce its members)
-- and the latest earlier run of any as_of (the definition it was built with)
same_as_of_runs as (
    select
        previous_runs.segment_key,
        previous_runs.run_id,
        previous_runs.membership_hash,
        previous_runs.source_fingerprint,
        previous_runs.definition_hash,
        row_number() over (partition by previous_runs.segment_key order by previous_runs.recorded_at desc) as recency
    from previous_runs
    inner join as_of on previous_runs.as_of_date = as_of.as_of_date
),

latest_runs as (
    select
        segment_key,
        definition_version,
        definition_hash,
        row_number() over (partition by segment_key order by recorded_at desc) as recency
    from previous_runs
),

-- partitions that must be exhaustive and exclusive over their universe
partition_keys as (
    {%- for partition, keys in partitions.items() %}
        {%- set outer = loop %}
        {%- for key in keys %}
        select
            cast('{{ partition }}' as {{ text }}) as partition_name,
            cast('{{ key }}' as {{ text }}) as segment_key
        {%- if not (outer.last and loop.last) %}
        union all
        {%- endif %}
        {%- endfor %}
    {%- endfor %}
),

partition_members as (
    select
        partition_keys.partition_name,
        current_members.entity_id,
        count(*) as memberships
    from current_members
    inner join partition_keys on current_members.segment_key = partition_keys.segment_key
    group by partition_keys.partition_name, current_members.entity_id
),

partition_universe as (
    select
        'value_tier' as partition_name,
        account_id as entity_id
    from value_tiers
    union all
    select
        'nps_category' as partition_name,
        user_id as entity_id
    from nps_respondents
),

partition_checks as (
    select
        coalesce(partition_universe.partition_name, partition_members.partition_name) as partition_name,
        cast(sum(case when partition_members.entity_id is null then 1 else 0 end) as bigint) as entities_in_none,
        cast(sum(case when partition_members.memberships > 1 then 1 else 0 end) as bigint) as entities_in_several,
        cast(sum(case when partition_universe.entity_id is null then 1 else 0 end) as bigint) as members_outside_universe
    from partition_universe
    full outer join partition_members
        on
            partition_universe.partition_name = partition_members.partition_name
            and partition_universe.entity_id = partition_members.entity_id
    group by coalesce(partition_universe.partition_name, partition_members.partition_name)
),

tier_arr as (
    select coalesce(sum(account_revenue.arr_usd * partition_members.memberships), 0) as tier_arr_usd
    from partition_members
    left join account_revenue on partition_members.entity_id = account_revenue.account_id
    where partition_members.partition_name = 'value_tier'
),

total_arr as (
    select coalesce(sum(arr_usd), 0) as total_arr_usd
    from account_revenue
    where is_paying
),

figures as (
    select
        as_of.as_of_date,
        segments.segment_key,
        segments.model_name,
        segments.grain,
        segments.family,
        segments.is_multi_key,
        segments.definition_version,
        segments.definition_hash,
        coalesce(member_figures.member_count, 0) as member_count,
        population.population,
        cast(coalesce(member_figures.member_count, 0) as {{ float }}) / nullif(population.population, 0)
            as share_of_population,
        segment_tables.table_rows,
        segment_tables.metric_columns,
        missing_tables.model_name is not null as is_table_missing,
        case
            when missing_tables.model_name is null
                then
                    cast(coalesce(segment_tables.covered_rows, 0) as {{ float }})
                    / nullif(coalesce(segment_tables.table_rows, 0), 0)
        end as metric_coverage,
        cast(member_figures.reachable_members as {{ float }}) / nullif(member_figures.member_count, 0)
            as reachable_share,
        cast(member_figures.recent_signup_members as {{ float }}) / nullif(member_figures.member_count, 0)
            as recent_signup_share,
        spike.recent_signups_per_day,
        spike.baseline_signups_per_day,
        spike.is_signup_spike,
        member_figures.membership_hash,
        source.source_fingerprint,
        previous_run_figures.as_of_date as previous_as_of_date,
        previous_run_figures.member_count as previous_member_count,
        case
            when previous_run_figures.member_count > 0
                then
                    cast(coalesce(member_figures.member_count, 0) - previous_run_figures.member_count as {{ float }})
                    / previous_run_figures.member_count
        end as size_change,
        case
            when coalesce(member_figures.member_count, 0) + coalesce(previous_member_counts.members, 0) > 0
                and previous_run_figures.member_count is not null
                then
                    cast(coalesce(overlap.common_members, 0) as {{ float }})
                    / (
                        coalesce(member_figures.member_count, 0) + coalesce(previous_member_counts.members, 0)
                        - coalesce(overlap.common_members, 0)
                    )
        end as membership_jaccard,
        same_as_of_runs.run_id as same_as_of_run_id,
        same_as_of_runs.definition_hash = segments.definition_hash
        and same_as_of_runs.source_fingerprint = source.source_fingerprint
        and same_as_of_runs.membership_hash != coalesce(member_figures.membership_hash, '') as is_rebuild_different,
        latest_runs.definition_version as previous_definition_version,
        latest_runs.definition_hash as previous_definition_hash,
        partition_checks.partition_name,
        case
            when partition_checks.partition_name is not null
                then
                    partition_checks.entities_in_none = 0
                    and partition_checks.entities_in_several = 0
                    and partition_checks.members_outside_universe = 0
        end as is_partition_exhaustive_exclusive,
        partition_checks.entities_in_none as partition_entities_in_none,
        partition_checks.entities_in_several as partition_entities_in_several,
        partition_checks.members_outside_universe as partition_members_outside,
        case
            when partition_checks.partition_name = 'value_tier' then abs(tier_arr.tier_arr_usd - total_arr.total_arr_usd)
        end as tier_arr_gap_usd
    from segments
    cross join as_of
    cross join spike
    cross join source
    cross join tier_arr
    cross join total_arr
    left join population on segments.grain = population.entity_type
    left join member_figures on segments.segment_key = member_figures.segment_key
    left join segment_tables
        on
            segments.model_name = segment_tables.model_name
            and segments.segment_key = segment_tables.segment_key
    left join missing_tables on segments.model_name = missing_tables.model_name
    left join previous_run_figures
        on
            segments.segment_key = previous_run_figures.segment_key
            and previous_run_figures.recency = 1
    left join previous_member_counts on segments.segment_key = previous_member_counts.segment_key
    left join overlap on segments.segment_key = overlap.segment_key
    left join same_as_of_runs
        on
            segments.segment_key = same_as_of_runs.segment_key
            and same_as_of_runs.recency = 1
    left join latest_runs
        on
            segments.segment_key = latest_runs.segment_key
            and latest_runs.recency = 1
    left join partition_keys on segments.segment_key = partition_keys.segment_key
    left join partition_checks on partition_keys.partition_name = partition_checks.partition_name
),

thresholds as (
    select
        {{ min_segment_size() }} as min_segment_size,
        cast({{ var('min_metric_coverage') }} as {{ float }}) as min_metric_coverage,
        cast({{ var('accessible_warn_share') }} as {{ float }}) as accessible_warn_share,
        cast({{ var('accessible_error_share') }} as {{ float }}) as accessible_error_share,
        cast({{ var('max_size_change') }} as {{ float }}) as max_size_change,
        cast({{ var('min_membership_jaccard') }} as {{ float }}) as min_membership_jaccard,
        cast({{ var('spike_member_share') }} as {{ float }}) as spike_member_share,
        cast('{{ var("spike_gate_severity") }}' as {{ text }}) as spike_gate_severity,
        cast({{ var('max_arr_gap_usd') }} as {{ float }}) as max_arr_gap_usd
),

flags as (
    select
        figures.*,
        thresholds.*,
        not figures.is_multi_key
        and figures.is_signup_spike
        and coalesce(figures.recent_signup_share >= thresholds.spike_member_share, false)
            as spike_driven,
        abs(figures.size_change) as abs_size_change,
        not figures.is_multi_key as is_size_gated,
        figures.definition_hash != figures.previous_definition_hash as is_definition_changed
    from figures
    cross join thresholds
),

verdicts as (
    select
        flags.*,
        case
            when is_table_missing then 'fail'
            when is_size_gated and member_count < min_segment_size then 'fail'
            when metric_coverage < min_metric_coverage then 'fail'
            else 'pass'
        end as measurable_verdict,
        case
            when is_table_missing
                then {{ dbt.concat(["model_name", "' was not built when segment_quality was created'"]) }}
            when is_size_gated and member_count < min_segment_size
                then {{ dbt.concat([
                    "cast(member_count as " ~ text ~ ")", "' members < min_segment_size '",
                    "cast(min_segment_size as " ~ text ~ ")",
                ]) }}
            when metric_coverage < min_metric_coverage
                then {{ dbt.concat([
                    "cast(cast(100 * metric_coverage as decimal(9, 1)) as " ~ text ~ ")",
                    "'% of members have every metric non-null (' ", "metric_columns", "') < '",
                    "cast(cast(100 * min_metric_coverage as decimal(9, 1)) as " ~ text ~ ")", "'%'",
                ]) }}
            else {{ dbt.concat([
                "cast(member_count as " ~ text ~ ")", "' members'",
                "case when is_size_gated then '' else ' (trait/need key: size not gated)' end",
                "', metrics non-null for '",
                "coalesce(" ~ dbt.concat(["cast(cast(100 * metric_coverage as decimal(9, 1)) as " ~ text ~ ")", "'%'"]) ~ ", 'n/a')",
            ]) }}
        end as measurable_reason,
        case
            when reachable_share < accessible_error_share then 'fail'
            when reachable_share < accessible_warn_share then 'warn'
            else 'pass'
        end as accessible_verdict,
        case
            when reachable_share is null then 'no members'
            else {{ dbt.concat([
                "cast(cast(100 * reachable_share as decimal(9, 1)) as " ~ text ~ ")", "'% of members reachable'",
                "case when reachable_share < accessible_error_share then ' < error floor ' "
                ~ "when reachable_share < accessible_warn_share then ' < warn floor ' else ' >= ' end",
                "cast(cast(100 * case when reachable_share < accessible_error_share then accessible_error_share "
                ~ "else accessible_warn_share end as decimal(9, 1)) as " ~ text ~ ")", "'%'",
            ]) }}
        end as accessible_reason,
        case
            when spike_driven and spike_gate_severity = 'error' then 'fail'
            when spike_driven then 'warn'
            when is_size_gated and abs_size_change > max_size_change then 'warn'
            when is_size_gated and membership_jaccard < min_membership_jaccard then 'warn'
            else 'pass'
        end as stable_verdict,
        case
            when spike_driven
                then {{ dbt.concat([
                    "'spike_driven: '",
                    "cast(cast(100 * recent_signup_share as decimal(9, 1)) as " ~ text ~ ")",
                    "'% of members signed up in the recent window, signups at '",
                    "cast(cast(recent_signups_per_day / nullif(baseline_signups_per_day, 0) as decimal(9, 1)) as "
                    ~ text ~ ")",
                    "'x the baseline daily rate'",
                ]) }}
            when not is_size_gated then 'trait/need key: size change not gated'
            when previous_member_count is null then 'no previous published as_of'
            when abs_size_change > max_size_change or membership_jaccard < min_membership_jaccard
                then {{ dbt.concat([
                    "'size '", "cast(previous_member_count as " ~ text ~ ")", "' -> '",
                    "cast(member_count as " ~ text ~ ")", "' since '", "cast(previous_as_of_date as " ~ text ~ ")",
                    "' ('", "cast(cast(100 * size_change as decimal(9, 1)) as " ~ text ~ ")",
                    "'%), Jaccard '", "coalesce(cast(cast(membership_jaccard as decimal(9, 2)) as " ~ text ~ "), 'n/a')",
                    "', limits +/-'", "cast(cast(100 * max_size_change as decimal(9, 1)) as " ~ text ~ ")",
                    "'% and '", "cast(cast(min_membership_jaccard as decimal(9, 2)) as " ~ text ~ ")",
                ]) }}
            else {{ dbt.concat([
                "'size '", "cast(previous_member_count as " ~ text ~ ")", "' -> '", "cast(member_count as " ~ text ~ ")",
                "' since '", "cast(previous_as_of_date as " ~ text ~ ")",
                "', Jaccard '", "coalesce(cast(cast(membership_jaccard as decimal(9, 2)) as " ~ text ~ "), 'n/a')",
            ]) }}
        end as stable_reason,
        case
            when is_table_missing then 'fail'
            when table_rows != member_count or (table_rows is null and member_count > 0) then 'fail'
            when is_rebuild_different then 'fail'
            when not is_partition_exhaustive_exclusive then 'fail'
            when tier_arr_gap_usd > max_arr_gap_usd then 'fail'
            when is_definition_changed and definition_version = previous_definition_version then 'warn'
            else 'pass'
        end as consistent_verdict,
        case
            when is_table_missing
                then {{ dbt.concat(["model_name", "' was not built when segment_quality was created'"]) }}
            when table_rows != member_count or (table_rows is null and member_count > 0)
                then {{ dbt.concat([
                    "cast(member_count as " ~ text ~ ")", "' recorded members but '",
                    "cast(coalesce(table_rows, 0) as " ~ text ~ ")", "' rows in '", "model_name",
                ]) }}
            when is_rebuild_different
                then {{ dbt.concat([
                    "'rebuilding the as_of on the same source data changed the members recorded by run '",
                    "same_as_of_run_id",
                ]) }}
            when not is_partition_exhaustive_exclusive
                then {{ dbt.concat([
                    "partition_name", "' segments not exhaustive and exclusive: '",
                    "cast(partition_entities_in_none as " ~ text ~ ")", "' in none, '",
                    "cast(partition_entities_in_several as " ~ text ~ ")", "' in several, '",
                    "cast(partition_members_outside as " ~ text ~ ")", "' outside the universe'",
                ]) }}
            when tier_arr_gap_usd > max_arr_gap_usd
                then {{ dbt.concat([
                    "'value tier ARR differs from total ARR by '",
                    "cast(cast(tier_arr_gap_usd as decimal(18, 2)) as " ~ text ~ ")", "' USD'",
                ]) }}
            when is_definition_changed and definition_version = previous_definition_version
                then {{ dbt.concat([
                    "'definition changed without a new version (still version '",
                    "cast(definition_version as " ~ text ~ ")", "')'",
                ]) }}
            when is_definition_changed
                then {{ dbt.concat([
                    "'definition changed: version '", "cast(previous_definition_version as " ~ text ~ ")", "' -> '",
                    "cast(definition_version as " ~ text ~ ")",
                ]) }}
            else 'definition unchanged, members reconcile with the segment table'
        end as consistent_reason
    from flags
)

select
    cast('{{ invocation_id }}' as {{ text }}) as run_id,
    as_of_date,
    segment_key,
    model_name,
    grain,
    family,
    is_multi_key,
    is_size_gated,
    definition_version,
    definition_hash,
    previous_definition_version,
    previous_definition_hash,
    member_count,
    population,
    share_of_population,
    table_rows,
    metric_columns,
    metric_coverage,
    reachable_share,
    recent_signup_share,
    recent_signups_per_day,
    baseline_signups_per_day,
    is_signup_spike,
    spike_driven,
    membership_hash,
    source_fingerprint,
    previous_as_of_date,
    previous_member_count,
    size_change,
    abs_size_change,
    membership_jaccard,
    same_as_of_run_id,
    is_rebuild_different,
    partition_name,
    is_partition_exhaustive_exclusive,
    tier_arr_gap_usd,
    min_segment_size,
    min_metric_coverage,
    accessible_warn_share,
    accessible_error_share,
    max_size_change,
    min_membership_jaccard,
    spike_member_share,
    spike_gate_severity,
    max_arr_gap_usd,
    measurable_verdict,
    measurable_reason,
    accessible_verdict,
    accessible_reason,
    stable_verdict,
    stable_reason,
    consistent_verdict,
    consistent_reason,
    case
        when 'fail' in (measurable_verdict, accessible_verdict, stable_verdict, consistent_verdict) then 'fail'
        when 'warn' in (measurable_verdict, accessible_verdict, stable_verdict, consistent_verdict) then 'warn'
        else 'pass'
    end as verdict
from verdicts
