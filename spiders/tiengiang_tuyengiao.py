from crawler.platforms.nukeviet import NukeVietSpider


class TiengiangTuyengiaoSpider(NukeVietSpider):
    """tuyengiaotiengiang.vn, Ban Tuyên giáo Tỉnh ủy Tiền Giang (NukeViet; capitalised aliases and
    "/"-terminated URLs: /news/{Cat}/{Alias}-{id}/). Also served as tuyengiaotiengiang.vnpttiengiang.vn."""

    name = "tiengiang_tuyengiao"
    live_origin = "https://tuyengiaotiengiang.vn"
    other_live_hosts = ("www.tuyengiaotiengiang.vn", "tuyengiaotiengiang.vnpttiengiang.vn")
    province = "Tiền Giang"  # merged into Đồng Tháp in 2025; articles keep the province as published
    organization = "Ban Tuyên giáo Tỉnh ủy"
    news_paths = ("/news",)
    start_paths = ("/", "/news/Tin-hoat-dong/", "/news/Tuyen-truyen/", "/news/Hoc-tap-va-lam-theo-Bac/")
