"""One spider per site over `base.NewsSiteSpider`; the site knowledge is in crawler/sites/<site>.toml."""
