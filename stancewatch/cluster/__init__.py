"""Running stancewatch past one machine: local stand-ins for the cluster's services (PostgreSQL for a
DuckLake catalog, Redis, Ray) and the helpers that start and stop them."""
