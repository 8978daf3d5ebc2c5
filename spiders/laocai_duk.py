from crawler.platforms.portal import ProvincialPortalSpider


class LaocaiDukSpider(ProvincialPortalSpider):
    """Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh Lào Cai (seed 003).

    The live hostname is unknown (a *.laocai.gov.vn sub-site): configure it with
    SITE_ORIGINS = {"laocai_duk": "https://…"} or `-a origin=https://…`.
    """

    name = "laocai_duk"
    live_origin = None
    province = "Lào Cai"
    organization = "Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh"
