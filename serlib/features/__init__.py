"""Feature extraction: the papers' equations, one function each, and the feature cache."""
