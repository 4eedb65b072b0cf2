{{ stage_raw_table('app', 'features', raw_relation('app', 'features')) }}
