"""The analyse domain: the counting engine, protocol ladders and the pupil aggregate.

Pure: no I/O, no HTTP, no broker. Entry points: `engine.evalueer` (one pupil, from
scratch) and `aggregate.Leerlingbeeld` (the event-sourced pupil picture).
"""
