"""ForYou CRM: each agent connects their own amoCRM/Kommo account; the service keeps that agent's
tokens for that agent alone and serves their leads from a local mirror."""

__version__ = "0.1.0"
