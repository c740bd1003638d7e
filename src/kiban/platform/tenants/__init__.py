"""Tenants: the 1,741 municipalities, the tenant context, and isolation in the application and in PostgreSQL."""
