"""Places: the municipalities and districts of Germany (gazetteer) and the places an article is about."""
