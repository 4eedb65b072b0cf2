{{ nps_category_segment('detractor') }}
