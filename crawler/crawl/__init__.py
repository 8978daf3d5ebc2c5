"""Crawling: spider bases and platforms, pipelines, WARC capture middleware, runs, revisits, alarms, scheduling."""
