from crawler.platforms.nukeviet import NukeVietSpider


class ThainguyenTuyengiaoSpider(NukeVietSpider):
    """tuyengiaothainguyen.org, Ban Tuyên giáo Tỉnh ủy Thái Nguyên (NukeViet 4, two news modules)."""

    name = "thainguyen_tuyengiao"
    live_origin = "https://tuyengiaothainguyen.org"
    other_live_hosts = ("www.tuyengiaothainguyen.org",)
    province = "Thái Nguyên"
    organization = "Ban Tuyên giáo Tỉnh ủy"
    # "chuyen-de" is a second news module (capitalised category aliases)
    news_paths = ("/vi/news", "/vi/chuyen-de")
    start_paths = ("/vi/", "/vi/news/tin-tuc/",
                   "/vi/chuyen-de/Hoc-tap-lam-theo-tu-tuong-dao-duc-phong-cach-Ho-Chi-Minh/",
                   "/vi/chuyen-de/Bao-ve-nen-tang-tu-tuong-cua-Dang/")
