"""Indexing: read files -> chunk them -> plan what changed -> store vectors and a manifest."""
