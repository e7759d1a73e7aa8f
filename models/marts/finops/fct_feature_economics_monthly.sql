{{ feature_economics('month') }}
