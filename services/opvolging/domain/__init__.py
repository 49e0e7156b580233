"""The opvolging domain: dossiers, actions by RASCI role, PDCA evaluation, report.

Pure: no HTTP, no Kafka. The aggregates are eventsourcing `Aggregate`s; the application
(`services.opvolging.application`) stores them.
"""
