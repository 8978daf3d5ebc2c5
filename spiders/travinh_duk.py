from crawler.platforms.portal import ProvincialPortalSpider


class TravinhDukSpider(ProvincialPortalSpider):
    """Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh Trà Vinh (seed 001).

    The live hostname is unknown (a *.travinh.gov.vn sub-site): configure it with
    SITE_ORIGINS = {"travinh_duk": "https://…"} or `-a origin=https://…`.
    """

    name = "travinh_duk"
    live_origin = None
    province = "Trà Vinh"  # merged into Vĩnh Long in 2025; articles keep the province as published
    organization = "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh"
