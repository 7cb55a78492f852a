"""Channel adapters: parse what arrives, call `commands`, render the reply."""
