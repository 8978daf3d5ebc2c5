"""Raw captures: WARC files (writer, reader, paths), no Scrapy."""
