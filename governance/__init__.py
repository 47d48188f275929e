"""The domain: use cases and their rules. Owns the transaction boundary. No Dash imports."""
