from crawler.platforms.nukeviet import NukeVietSpider


class CaobangTuyengiaoSpider(NukeVietSpider):
    """tuyengiaocaobang.vn, Ban Tuyên giáo Tỉnh ủy Cao Bằng (NukeViet 4; news is the home module,
    links keep /index.php/: /index.php/{cat}/{alias}-{id}.html)."""

    name = "caobang_tuyengiao"
    live_origin = "https://tuyengiaocaobang.vn"
    province = "Cao Bằng"
    organization = "Ban Tuyên giáo Tỉnh ủy"
    news_paths = ("",)
    start_paths = ("/index.php", "/index.php/tin-tuc-su-kien/", "/index.php/diem-bao/",
                   "/index.php/tuyen-truyen-bien-gioi/")
