"""Staff identity: accounts per municipality, roles per business, two-factor sign-in, machine clients."""
