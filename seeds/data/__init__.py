"""Static demo and reference data for Meedoen, written by hand (no network needed).

Modules:
    interests       taxonomy of interest categories and interests (CATEGORIES, INTERESTS)
    municipalities  the seven demo municipalities with neighbourhoods and teams
    postcodes       PC4 -> (lat, lon) centroids for every postcode used by the demo
    opportunities   opportunity templates, places and public streets per municipality
    people          first names, last names and self-chosen goals for demo recipients
    cities          the ~60 largest municipalities for the national-scale generator

Everything is plain Python data (stdlib only) so it can be imported by the seeders,
the geocoder and the tests without a database.
"""
