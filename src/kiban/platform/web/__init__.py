"""The staff web shell: request ids, sign-in with a second factor, the tenant context for staff views."""
