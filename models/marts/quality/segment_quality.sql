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
{%- set dims = {'dim_accounts': ref('dim_accounts'), 'dim_users': ref('dim_users')} -%}
{%- set floors = var('input_coverage_floors') -%}
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

-- every input of the catalogue over its eligible population (macros/quality/quality_inputs.sql)
input_populations as (
    {%- for name in quality_input_names() %}
        select
            cast('{{ name }}' as {{ text }}) as input_name,
            cast(input_{{ name }}.entity_id as {{ text }}) as entity_id,
            input_{{ name }}.has_input
        from ({{ quality_input_sql(name) }}) as input_{{ name }}
        {%- if not loop.last %}
        union all
        {%- endif %}
    {%- endfor %}
),

input_coverage as (
    select
        input_name,
        count(*) as eligible,
        cast(sum(case when has_input then 1 else 0 end) as bigint) as covered,
        cast(sum(case when has_input then 1 else 0 end) as {{ float }}) / nullif(count(*), 0) as coverage
    from input_populations
    group by input_name
),

input_floors as (
    {%- for name in quality_input_names() %}
        {%- if name not in floors %}
            {{ exceptions.raise_compiler_error("var input_coverage_floors has no {warn, error} for input '" ~ name ~ "'") }}
        {%- endif %}
        select
            cast('{{ name }}' as {{ text }}) as input_name,
            cast({{ floors[name]['warn'] }} as {{ float }}) as warn_floor,
            cast({{ floors[name]['error'] }} as {{ float }}) as error_floor
        {%- if not loop.last %}
        union all
        {%- endif %}
    {%- endfor %}
),

-- the inputs each segment model names, judged: 2 = below the error floor, 1 = below warn
segment_inputs as (
    {%- set pairs = [] -%}
    {%- for source in sources -%}
        {%- for name in source.inputs -%}
            {%- do pairs.append((source.model_name, name)) -%}
        {%- endfor -%}
    {%- endfor %}
    {{ model_name_pairs(pairs, 'input_name') }}
),

judged_inputs as (
    select
        segment_inputs.model_name,
        segment_inputs.input_name,
        input_coverage.eligible,
        input_coverage.covered,
        input_coverage.coverage,
        input_floors.warn_floor,
        input_floors.error_floor,
        case
            when input_coverage.coverage < input_floors.error_floor then 2
            when input_coverage.coverage < input_floors.warn_floor then 1
            else 0
        end as coverage_level
    from segment_inputs
    left join input_coverage on segment_inputs.input_name = input_coverage.input_name
    left join input_floors on segment_inputs.input_name = input_floors.input_name
),

-- per segment model: its worst input (highest level, then lowest coverage)
weakest_inputs as (
    select
        model_name,
        input_name,
        eligible,
        covered,
        coverage,
        warn_floor,
        error_floor,
        coverage_level,
        row_number() over (
            partition by model_name
            order by coverage_level desc, coalesce(coverage, 1) asc, input_name
        ) as weakness
    from judged_inputs
),

segment_input_names as (
    select
        model_name,
        {{ dbt.listagg('input_name', "', '", 'order by input_name') }} as input_names
    from judged_inputs
    group by model_name
),

reconciliations as (
    select
        check_name,
        is_reconciled,
        reason
    from {{ ref('quality_reconciliations') }}
),

-- the reconciliations each segment model relies on; the first failing one per model
segment_reconciliations as (
    {%- set pairs = [] -%}
    {%- for source in sources -%}
        {%- for check in source.reconciliations -%}
            {%- do pairs.append((source.model_name, check)) -%}
        {%- endfor -%}
    {%- endfor %}
    {{ model_name_pairs(pairs, 'check_name') }}
),

failed_reconciliations as (
    select
        segment_reconciliations.model_name,
        {{ dbt.listagg('segment_reconciliations.check_name', "', '", 'order by segment_reconciliations.check_name') }}
            as checks,
        cast(sum(
            case when reconciliations.is_reconciled is null or not reconciliations.is_reconciled then 1 else 0 end
        ) as bigint) as failed_checks,
        {{ dbt.listagg(
            'case when not reconciliations.is_reconciled then reconciliations.reason end', "'; '",
            'order by segment_reconciliations.check_name'
        ) }} as failed_reason
    from segment_reconciliations
    left join reconciliations on segment_reconciliations.check_name = reconciliations.check_name
    group by segment_reconciliations.model_name
),

-- the segment's size as an independent flag of dim_accounts / dim_users counts it
-- (`meta.segment.flag`: model, column, value)
flag_counts as (
    {%- set flagged = sources | selectattr('flag') | list %}
    {%- for source in flagged %}
        select
            cast('{{ source.model_name }}' as {{ text }}) as model_name,
            cast('{{ source.flag.model }}.{{ source.flag.column }} = {{ source.flag.value }}' as {{ text }}) as flag,
            count(*) as flag_count
        from {{ dims[source.flag.model] }}
        where {{ source.flag.column }} = '{{ source.flag.value }}'
        {%- if not loop.last %}
        union all
        {%- endif %}
    {%- else %}
        select
            cast(null as {{ text }}) as model_name,
            cast(null as {{ text }}) as flag,
            0 as flag_count
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
        missing_tables.model_name is not null as is_table_missing,
        segment_input_names.input_names,
        weakest_inputs.input_name as weakest_input,
        weakest_inputs.eligible as weakest_input_eligible,
        weakest_inputs.coverage as input_coverage,
        weakest_inputs.warn_floor as input_coverage_warn_floor,
        weakest_inputs.error_floor as input_coverage_error_floor,
        weakest_inputs.coverage_level as input_coverage_level,
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
        failed_reconciliations.checks as reconciliation_checks,
        coalesce(failed_reconciliations.failed_checks, 0) as failed_reconciliations,
        failed_reconciliations.failed_reason as reconciliation_reason,
        flag_counts.flag,
        flag_counts.flag_count
    from segments
    cross join as_of
    cross join spike
    cross join source
    left join population on segments.grain = population.entity_type
    left join member_figures on segments.segment_key = member_figures.segment_key
    left join missing_tables on segments.model_name = missing_tables.model_name
    left join segment_input_names on segments.model_name = segment_input_names.model_name
    left join weakest_inputs
        on
            segments.model_name = weakest_inputs.model_name
            and weakest_inputs.weakness = 1
    left join failed_reconciliations on segments.model_name = failed_reconciliations.model_name
    left join flag_counts
        on
            segments.model_name = flag_counts.model_name
            and not segments.is_multi_key
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
),

thresholds as (
    select
        {{ min_segment_size() }} as min_segment_size,
        cast({{ var('accessible_warn_share') }} as {{ float }}) as accessible_warn_share,
        cast({{ var('accessible_error_share') }} as {{ float }}) as accessible_error_share,
        cast({{ var('max_size_change') }} as {{ float }}) as max_size_change,
        cast({{ var('min_membership_jaccard') }} as {{ float }}) as min_membership_jaccard,
        cast({{ var('max_size_change_error') }} as {{ float }}) as max_size_change_error,
        cast({{ var('min_membership_jaccard_error') }} as {{ float }}) as min_membership_jaccard_error,
        cast({{ var('spike_member_share') }} as {{ float }}) as spike_member_share,
        cast('{{ var("spike_gate_severity") }}' as {{ text }}) as spike_gate_severity
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
        figures.definition_hash != figures.previous_definition_hash as is_definition_changed,
        figures.flag_count is not null and figures.flag_count != figures.member_count as is_flag_mismatch,
        case
            when figures.is_multi_key then 0
            when
                abs(figures.size_change) > thresholds.max_size_change_error
                or figures.membership_jaccard < thresholds.min_membership_jaccard_error
                then 2
            when
                abs(figures.size_change) > thresholds.max_size_change
                or figures.membership_jaccard < thresholds.min_membership_jaccard
                then 1
            else 0
        end as stability_level
    from figures
    cross join thresholds
),

verdicts as (
    select
        flags.*,
        case
            when is_table_missing then 'fail'
            when is_size_gated and member_count < min_segment_size then 'fail'
            when input_coverage_level = 2 then 'fail'
            when input_coverage_level = 1 then 'warn'
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
            else {{ dbt.concat([
                "cast(member_count as " ~ text ~ ")", "' members'",
                "case when is_size_gated then '' else ' (trait/need key: size not gated)' end",
                "', input '", "weakest_input", "': '",
                "coalesce(" ~ dbt.concat([
                    "cast(cast(100 * input_coverage as decimal(9, 1)) as " ~ text ~ ")", "'%'",
                ]) ~ ", 'n/a')",
                "' of '", "cast(weakest_input_eligible as " ~ text ~ ")", "' eligible covered'",
                "case when input_coverage_level = 2 then ' < error floor ' "
                ~ "when input_coverage_level = 1 then ' < warn floor ' else ' >= ' end",
                "cast(cast(100 * case when input_coverage_level = 2 then input_coverage_error_floor "
                ~ "else input_coverage_warn_floor end as decimal(9, 1)) as " ~ text ~ ")", "'%'",
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
            when stability_level = 2 then 'fail'
            when spike_driven then 'warn'
            when stability_level = 1 then 'warn'
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
            when stability_level > 0
                then {{ dbt.concat([
                    "'size '", "cast(previous_member_count as " ~ text ~ ")", "' -> '",
                    "cast(member_count as " ~ text ~ ")", "' since '", "cast(previous_as_of_date as " ~ text ~ ")",
                    "' ('", "cast(cast(100 * size_change as decimal(9, 1)) as " ~ text ~ ")",
                    "'%), Jaccard '", "coalesce(cast(cast(membership_jaccard as decimal(9, 2)) as " ~ text ~ "), 'n/a')",
                    "case when stability_level = 2 then ', error limits +/-' else ', warn limits +/-' end",
                    "cast(cast(100 * case when stability_level = 2 then max_size_change_error else max_size_change end"
                    ~ " as decimal(9, 1)) as " ~ text ~ ")",
                    "'% and '",
                    "cast(cast(case when stability_level = 2 then min_membership_jaccard_error "
                    ~ "else min_membership_jaccard end as decimal(9, 2)) as " ~ text ~ ")",
                ]) }}
            else {{ dbt.concat([
                "'size '", "cast(previous_member_count as " ~ text ~ ")", "' -> '", "cast(member_count as " ~ text ~ ")",
                "' since '", "cast(previous_as_of_date as " ~ text ~ ")",
                "', Jaccard '", "coalesce(cast(cast(membership_jaccard as decimal(9, 2)) as " ~ text ~ "), 'n/a')",
            ]) }}
        end as stable_reason,
        case
            when is_table_missing then 'fail'
            when is_rebuild_different then 'fail'
            when failed_reconciliations > 0 then 'fail'
            when is_flag_mismatch then 'fail'
            when is_definition_changed and definition_version = previous_definition_version then 'warn'
            else 'pass'
        end as consistent_verdict,
        case
            when is_table_missing or is_rebuild_different or failed_reconciliations > 0 or is_flag_mismatch
                -- every failure, each after '; ' (the first separator is cut off)
                then substring({{ dbt.concat([
                    "case when is_table_missing then " ~ dbt.concat(["'; '", "model_name", "' was not built when segment_quality was created'"]) ~ " else '' end",
                    "case when is_rebuild_different then " ~ dbt.concat([
                        "'; rebuilding the as_of on the same source data changed the members recorded by run '",
                        "same_as_of_run_id",
                    ]) ~ " else '' end",
                    "case when failed_reconciliations > 0 then "
                    ~ dbt.concat(["'; '", "coalesce(reconciliation_reason, 'a reconciliation did not run')"]) ~ " else '' end",
                    "case when is_flag_mismatch then " ~ dbt.concat([
                        "'; '", "cast(member_count as " ~ text ~ ")", "' members but '", "cast(flag_count as " ~ text ~ ")",
                        "' rows with '", "flag",
                    ]) ~ " else '' end",
                ]) }}, 3)
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
            else {{ dbt.concat([
                "'definition unchanged'",
                "coalesce(" ~ dbt.concat(["', reconciled: '", "reconciliation_checks"]) ~ ", '')",
                "coalesce(" ~ dbt.concat(["', size = '", "flag"]) ~ ", '')",
            ]) }}
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
    input_names,
    weakest_input,
    weakest_input_eligible,
    input_coverage,
    input_coverage_warn_floor,
    input_coverage_error_floor,
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
    reconciliation_checks,
    failed_reconciliations,
    flag,
    flag_count,
    min_segment_size,
    accessible_warn_share,
    accessible_error_share,
    max_size_change,
    min_membership_jaccard,
    max_size_change_error,
    min_membership_jaccard_error,
    spike_member_share,
    spike_gate_severity,
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
