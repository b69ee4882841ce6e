"""The Scrapy project: one spider per site over a shared base, site knowledge as data."""
