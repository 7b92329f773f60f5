"""One file per German site; the file name is the spider name is the site name."""
