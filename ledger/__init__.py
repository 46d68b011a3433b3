"""The DAML ledger of the platform: the model (``ledger/daml``), the embedded ledger (``ledger.engine``),
its HTTP
JSON API v1 (``ledger.jsonapi``), its Ledger API v1 over gRPC (``ledger.grpc``), and the clients."""
