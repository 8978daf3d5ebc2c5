from crawler.platforms.nukeviet import NukeVietSpider


class CanthoTuyengiaoSpider(NukeVietSpider):
    """bantuyengiao.cantho.gov.vn, Ban Tuyên giáo Thành ủy Cần Thơ (NukeViet 4, /vi/news/…)."""

    name = "cantho_tuyengiao"
    live_origin = "https://bantuyengiao.cantho.gov.vn"
    province = "Cần Thơ"  # absorbed Sóc Trăng and Hậu Giang in 2025; the name stays
    organization = "Ban Tuyên giáo Thành ủy"
    news_paths = ("/vi/news",)
    start_paths = ("/vi/", "/vi/news/tin-hoat-dong/", "/vi/news/tai-lieu-tuyen-truyen/",
                   "/vi/news/hoc-tap-va-lam-theo-bac/", "/vi/news/van-ban/")
    feed_paths = ("/vi/news/rss/",)
