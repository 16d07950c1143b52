"""The ground floor: settings and database set-up, imported by every layer above, importing
none of them."""
