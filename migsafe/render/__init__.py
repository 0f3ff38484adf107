"""Renderers: results as text, tables, JSON-ready dicts; only they format."""
