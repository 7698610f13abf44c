"""Plumbing every service needs, written once: settings, logging, database, outbox,
inbox, the Kafka consumer with dead letters, HTTP error mapping and health."""
