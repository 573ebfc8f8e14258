"""The service layer: what the resources ask of the store, with the registry's rules."""
