"""Sites that need more than their platform: one module each, holding only the overrides.

Every site is a row of crawler/sites/sites.csv; a site on a known platform needs nothing here.
"""
