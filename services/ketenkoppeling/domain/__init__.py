"""The ketenkoppeling's own aggregates: what it knows from upstream and the meldingen
it owes DUO. Plain eventsourcing aggregates; no framework, no I/O."""
