"""Static demo data for Meedoen, written by hand (no network needed).

Reference data the service itself needs lives with the service: the interest taxonomy in
``api.interests.taxonomy``, the offline postcode table in ``api.geocoding.postcodes``.

Modules:
    municipalities  the seven demo municipalities with neighbourhoods and teams
    opportunities   opportunity templates, places and public streets per municipality
    people          first names, last names and self-chosen goals for demo recipients
    cities          the ~60 largest municipalities for the national-scale generator

Everything is plain Python data (stdlib only) so it can be imported by the seeders,
and the tests without a database.
"""
