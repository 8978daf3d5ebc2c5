"""The archive database: the only module that writes SQL (schema, articles, revisions, captures, runs, search)."""

from crawler.store.archive import CONTENT_FIELDS, ArticleStore, article_fields, default_database, now_iso
from crawler.store.folding import vn_fold

__all__ = ["CONTENT_FIELDS", "ArticleStore", "article_fields", "default_database", "now_iso", "vn_fold"]
