"""The platform layer: tenants, identity and roles, audit, the API shell. It knows no business."""
