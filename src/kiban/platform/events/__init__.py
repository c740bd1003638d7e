"""Events between business apps (庁内データ連携): a transactional outbox, subscriptions, and a dispatcher that
delivers at least once, in order per subject, to in-process handlers and to signed webhooks."""
