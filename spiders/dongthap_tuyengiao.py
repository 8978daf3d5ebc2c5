from crawler.platforms.liferay import LiferaySpider


class DongthapTuyengiaoSpider(LiferaySpider):
    """btg.dongthap.gov.vn, Ban Tuyên giáo Tỉnh ủy Đồng Tháp (Liferay 6.2 Asset Publisher)."""

    name = "dongthap_tuyengiao"
    live_origin = "https://btg.dongthap.gov.vn"
    province = "Đồng Tháp"
    organization = "Ban Tuyên giáo Tỉnh ủy"
    site_path = "/web/btg"
    start_paths = ("/web/btg/trang-chu", "/web/btg/tin-tuc", "/web/btg/hoc-tap-va-lam-theo-bac")
