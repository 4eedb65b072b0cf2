{{ value_tier_segment('high') }}
