from crawler.platforms.portal import ProvincialPortalSpider


class TravinhTuyengiaoSpider(ProvincialPortalSpider):
    """tuyengiao.travinh.gov.vn, Ban Tuyên giáo Tỉnh ủy Trà Vinh."""

    name = "travinh_tuyengiao"
    live_origin = "https://tuyengiao.travinh.gov.vn"
    province = "Trà Vinh"
    organization = "Ban Tuyên giáo Tỉnh ủy"
