{{ value_tier_segment('medium') }}
