import re

from crawler.crawl.base import ArchiveSpider
from crawler.extract import SiteRules


class TuyengiaoSpider(ArchiveSpider):
    """tuyengiao.vn's own CMS: legacy A1 (ASP.NET era, to mid-2024) and the 2024 redesign A2.

    The 2024 redesign (A2: div.flex-fill, h1.story-headline, div.story-teaser, div.ml-lg-auto,
    div.story-body, figure / table.picture) is read by the same rules: each tuple lists the A1
    selector first and the A2 one after it, so every page gets the template it was written in.
    """

    name = "tuyengiao"
    platform = "tuyengiao-a1"
    # /{slug}-{id} and /{cat}/{slug}-{id}; listings are told apart by having no trailing id.
    article_path = re.compile(r"^/(?:[a-z0-9-]+/)?[a-z0-9-]+-\d{3,7}/?$")
    listing_path = re.compile(r"^/[a-z][a-z0-9-]*[a-z]/?$")
    rules = SiteRules(
        title=("span.story_headline", ".story_headline", ".story_head h1", ".storydetail h1",
               "h1.story-headline"),
        # The page starts with today's date; the publication stamp is the one with "(GMT+7)".
        # The 2024 redesign (A2: div.flex-fill > div.ml-lg-auto) writes "Thứ sáu, ngày 25/04/2025 - 11:39"
        # [inferred]; either way a stamp carries a time, the header's "today" never does.
        date=(".story_date", ".story_tools", ".storydetail", ".flex-fill .ml-lg-auto", ".ml-lg-auto"),
        date_pattern=re.compile(r"\d{1,2}:\d{1,2}'?\s*\(GMT\+7\)|\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d{1,2}'"
                                r"|\d{1,2}/\d{1,2}/\d{4}\s*[-|,]?\s*\d{1,2}:\d{2}"),
        category=(".zonebar h1 a", ".zonebar h2 a", ".zonebar a", ".zonebar"),
        lead=(".story_teaser", ".story-teaser"),
        author=(".story_author", ".storydetail .author"),
        lead_image=(".story_avatar_b",),
        body=("#ArticleContent", ".story_body", ".story-body"),
        remove=(".story_tools",),
    )
