{{ stage_raw_table('app', 'features', source('app', 'features')) }}
