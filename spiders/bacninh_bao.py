from crawler.platforms.liferay import LiferaySpider


class BacninhBaoSpider(LiferaySpider):
    """baobacninh.com.vn, Báo Bắc Ninh, the provincial Party committee's newspaper (Liferay 7)."""

    name = "bacninh_bao"
    live_origin = "https://baobacninh.com.vn"
    other_live_hosts = ("www.baobacninh.com.vn",)
    province = "Bắc Ninh"
    organization = "Báo Đảng bộ tỉnh"
    site_path = "/web/bbn"
    start_paths = ("/web/bbn/trang-chu", "/web/bbn/xay-ang")
