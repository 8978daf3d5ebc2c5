from dataclasses import replace

from crawler.crawl.platforms.portal import ProvincialPortalSpider


class TravinhTruongchinhtriSpider(ProvincialPortalSpider):
    """Research articles carry the author and unit above the body ("ThS. … / Khoa Lý luận cơ sở")."""

    name = "travinh_truongchinhtri"
    rules = replace(ProvincialPortalSpider.rules,
                    author=(".news-detail .author .name",) + ProvincialPortalSpider.rules.author,
                    remove=ProvincialPortalSpider.rules.remove + (".author",))
