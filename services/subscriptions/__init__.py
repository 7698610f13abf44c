"""The subscriptions service: external tools' subscriptions to the events, delivered as
signed webhooks (Standard Webhooks, CloudEvents) or as xAPI statements to a learning
record store, in order per person, each subscriber on its own."""
