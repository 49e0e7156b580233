"""The registratie domain: schools, pupils, absence records, notices, leave and the
pure classification of lesson slots (rules sections 1, 2, 4 and decisions D8–D14).

No I/O and no web or broker imports here; the application (`services.registratie`)
loads and saves the aggregates.
"""
