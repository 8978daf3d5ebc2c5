from dataclasses import replace

from crawler.platforms.portal import ProvincialPortalSpider


class TravinhTruongchinhtriSpider(ProvincialPortalSpider):
    """tcttv.travinh.gov.vn, Trường Chính trị tỉnh Trà Vinh (provincial portal platform, sites.md §3).

    Research articles carry the author and unit above the body ("ThS. … / Khoa Lý luận cơ sở").
    """

    name = "travinh_truongchinhtri"
    live_origin = "https://tcttv.travinh.gov.vn"
    province = "Trà Vinh"  # merged into Vĩnh Long in 2025; articles keep the province as published
    organization = "Trường Chính trị tỉnh"
    start_paths = ("/", "/1462/39938/69620/tin-hoat-dong", "/1462/39939/69623/nghien-cuu-trao-doi")
    rules = replace(ProvincialPortalSpider.rules,
                    author=(".news-detail .author .name",) + ProvincialPortalSpider.rules.author,
                    remove=ProvincialPortalSpider.rules.remove + (".author",))
