"""newsmon's Scrapy project: one generic spider driven by the sources file."""
