"""Study search: the Essie query language, criteria from request parameters, page tokens."""
