"""The deploy files (container image, compose, Kubernetes) and their offline validation."""
