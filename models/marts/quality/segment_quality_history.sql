{{ config(materialized='incremental', full_refresh=false, on_schema_change='append_new_columns') }}

{#- What every published run recorded in segment_quality: its figures and verdicts
    per segment key, under the run's id and the time it was recorded. Rows are added
    only by the refresh (macro record_segment_quality, after the audit passed), so
    stability and consistency are judged against runs that readers really saw. This
    model only creates the table and never rewrites it. -#}
{%- set text = dbt.type_string() -%}
{%- set float = dbt.type_float() -%}
select
    cast(null as {{ text }}) as run_id,
    cast(null as {{ dbt.type_timestamp() }}) as recorded_at,
    cast(null as date) as as_of_date,
    cast(null as {{ text }}) as segment_key,
    cast(null as {{ text }}) as model_name,
    cast(null as {{ text }}) as grain,
    cast(null as {{ text }}) as family,  -- noqa: RF04
    cast(null as boolean) as is_multi_key,
    cast(null as integer) as definition_version,
    cast(null as {{ text }}) as definition_hash,
    cast(null as {{ dbt.type_bigint() }}) as member_count,
    cast(null as {{ dbt.type_bigint() }}) as population,
    cast(null as {{ float }}) as share_of_population,
    cast(null as {{ text }}) as weakest_input,
    cast(null as {{ float }}) as input_coverage,
    cast(null as {{ float }}) as reachable_share,
    cast(null as {{ float }}) as recent_signup_share,
    cast(null as boolean) as is_signup_spike,
    cast(null as boolean) as spike_driven,
    cast(null as {{ text }}) as membership_hash,
    cast(null as {{ text }}) as source_fingerprint,
    cast(null as date) as previous_as_of_date,
    cast(null as {{ float }}) as size_change,
    cast(null as {{ float }}) as membership_jaccard,
    cast(null as {{ dbt.type_bigint() }}) as failed_reconciliations,
    cast(null as {{ text }}) as measurable_verdict,
    cast(null as {{ text }}) as measurable_reason,
    cast(null as {{ text }}) as accessible_verdict,
    cast(null as {{ text }}) as accessible_reason,
    cast(null as {{ text }}) as stable_verdict,
    cast(null as {{ text }}) as stable_reason,
    cast(null as {{ text }}) as consistent_verdict,
    cast(null as {{ text }}) as consistent_reason,
    cast(null as {{ text }}) as verdict
where 1 = 0
