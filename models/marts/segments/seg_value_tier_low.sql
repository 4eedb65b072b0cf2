{{ value_tier_segment('low') }}
