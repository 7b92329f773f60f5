"""Scrapy commands of the project (COMMANDS_MODULE): ``crawl`` with newsarchive's checks and exit codes."""
