"""painkg over HTTP: SPARQL 1.1 Protocol, REST, CDS Hooks 2.0 (``create_app`` in kg.server.app)."""
