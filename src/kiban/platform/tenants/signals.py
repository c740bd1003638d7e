"""Signals of the tenant lifecycle, so business apps can set a new municipality up without the platform knowing
them (e.g. subscribe their in-process handlers to the events they consume)."""

from django.dispatch import Signal

# Sent inside the provisioning transaction, once per new tenant, with ``tenant`` (a Tenant).
tenant_provisioned = Signal()
