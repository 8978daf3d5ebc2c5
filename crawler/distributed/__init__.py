"""Distributed crawling (placeholder)."""
