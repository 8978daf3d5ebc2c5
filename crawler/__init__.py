"""Archive of Vietnamese provincial Communist Party news sites.

The Scrapy project package: everything that is not one particular site.
"""

__version__ = "0.1.0"

# Bump whenever extraction output can change for the same HTML: stored rows
# record it, and re-extraction compares against it.
EXTRACTOR_VERSION = "2026.12.1"
