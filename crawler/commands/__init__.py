"""Scrapy commands of the project (settings COMMANDS_MODULE): `crawl` with one-line argument errors."""
