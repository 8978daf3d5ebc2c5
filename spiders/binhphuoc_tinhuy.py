from crawler.platforms.nukeviet import NukeVietSpider


class BinhphuocTinhuySpider(NukeVietSpider):
    """tinhuybinhphuoc.vn, Tỉnh ủy Bình Phước (NukeViet 4, /news/{cat}/{alias}-{id}.html, RSS)."""

    name = "binhphuoc_tinhuy"
    live_origin = "https://tinhuybinhphuoc.vn"
    province = "Bình Phước"  # merged into Đồng Nai in 2025; articles keep the province as published
    organization = "Tỉnh ủy"
    news_paths = ("/news",)
    start_paths = ("/", "/news/tin-tuc", "/news/xay-dung-dang")
    feed_paths = ("/news/rss/",)
