from crawler.platforms.nukeviet import NukeVietSpider


class Caobang90namdangboSpider(NukeVietSpider):
    """90namdangbo.caobang.gov.vn, the Cao Bằng Party Committee's 90th-anniversary site (2020):
    NukeViet 3 theme (#news_detail), /index.php/vi/news/… and index.php?…&nv=news&op=… links."""

    name = "caobang_90namdangbo"
    live_origin = "http://90namdangbo.caobang.gov.vn"
    province = "Cao Bằng"
    organization = "Tỉnh ủy"
    news_paths = ("/vi/news",)
    start_paths = ("/index.php/vi/", "/index.php/vi/news/tu-lieu-lich-su/", "/index.php/vi/news/tin-hoat-dong/")
