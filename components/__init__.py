"""Reusable UI. Components never touch the database: they go through analytics.cached."""
