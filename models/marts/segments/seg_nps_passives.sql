{{ nps_category_segment('passive') }}
