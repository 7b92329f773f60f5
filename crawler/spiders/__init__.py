"""Spiders: the generic NewsSpider (base.py) and one small file per site under de/."""
