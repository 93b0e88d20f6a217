"""Answering: retrieve -> select sentences -> prompt -> generate -> guard -> cite."""
