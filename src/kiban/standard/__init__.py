"""The standard as code: schemas, code tables, event types and API contracts. Knows no implementation."""
