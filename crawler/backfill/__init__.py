"""Backfill: fill the archive with a topic's history from the sites' date-addressable listings.

`model` reads the `[backfill]` table of each site file, `plan` turns a date range into weekly chunks
of listing walks and says which are done (from the checkpoints), `walker` walks one chunk inside the
site's spider (same download path, pipelines, robots and politeness as a crawl), and `run` drives the
chunks in child crawls (`crawler.runner.run_crawl(kind="backfill")`) under the site's crawl lock.
"""
