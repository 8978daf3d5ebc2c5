"""A spider for every registry row without a module of its own: what `scrapy list` shows.

A row on a known platform gets a subclass of that platform's spider, any other row a subclass
of the generic spider; both take the row's data (ArchiveSpider.declare). A site that needs
overrides has a module `spiders/<name>.py` instead, and no class is made here for it.
"""

from __future__ import annotations

from importlib.util import find_spec

from crawler.crawl.base import ArchiveSpider
from crawler.crawl.generic import GenericSpider
from crawler.crawl.platforms.liferay import LiferaySpider
from crawler.crawl.platforms.nukeviet import NukeVietSpider
from crawler.crawl.platforms.portal import ProvincialPortalSpider
from crawler.sites import Site, registry

PLATFORMS: dict[str, type[ArchiveSpider]] = {
    "nukeviet": NukeVietSpider,
    "liferay": LiferaySpider,
    "vn-provincial-portal": ProvincialPortalSpider,
}
OVERRIDES_PACKAGE = "spiders"


def spider_classes() -> dict[str, type]:
    """Every spider of the project by name (what `scrapy list` shows), through Scrapy's spider loader."""
    import os

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    loader = SpiderLoader.from_settings(get_project_settings())
    return {name: loader.load(name) for name in loader.list()}


def has_override_module(name: str) -> bool:
    try:
        return find_spec(f"{OVERRIDES_PACKAGE}.{name}") is not None
    except ModuleNotFoundError:  # no spiders/ package on the path (an installed crawler alone)
        return False


def spider_class(site: Site) -> type[ArchiveSpider]:
    """The spider class of a registry row without an override module."""
    base = PLATFORMS.get(site.platform or "", GenericSpider)
    class_name = "".join(part.title() for part in site.name.split("_")) + "Spider"
    doc = f"{site.organization} ({site.origin or 'hostname unknown'}), {site.platform or 'generic'} platform."
    return type(class_name, (base,), {"name": site.name, "__module__": __name__, "__doc__": doc})


globals().update({cls.__name__: cls for cls in (spider_class(site) for site in registry().values()
                                                if not has_override_module(site.name))})
