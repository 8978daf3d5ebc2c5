"""Only for Scrapyd eggs: `scrapyd-deploy` builds with `setup.py bdist_egg`. The metadata is pyproject.toml's."""

from setuptools import setup

setup()
