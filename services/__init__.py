"""The shop: independent services, each on its generated stub, each with its own database.

No service imports another's package: they talk over HTTP through ``generated/`` clients.
"""
