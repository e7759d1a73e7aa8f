{{ feature_economics('day') }}
