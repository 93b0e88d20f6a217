"""Answering: retrieve -> select sentences -> prompt -> generate -> guard -> cite, and decision/: answered, unsure or refused."""
