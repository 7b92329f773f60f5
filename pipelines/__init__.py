"""Item pipelines, storage backends, seen-store and archive format of newsarchive.

This package never imports ``crawler``; it sees items only through itemadapter.
"""
