{{ nps_category_segment('promoter') }}
