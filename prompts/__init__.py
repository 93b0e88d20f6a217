"""Prompt templates and worked examples: package data (rag.prompts), read by rag.templates."""
