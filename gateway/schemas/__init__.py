"""Request and response bodies of the gateway's resources (Create / Update / Public models)."""
