"""The HTTP API shell: principals (staff session, OAuth client), tenant authorization, problem+json errors."""
