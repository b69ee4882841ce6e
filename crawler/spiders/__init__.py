"""The spiders: one per site file (`loader.SiteSpiderLoader`), each a `base.NewsSiteSpider` over its data."""
