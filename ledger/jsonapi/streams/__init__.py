"""WebSocket streaming of the JSON API v1, as Daml 2.x's HTTP JSON API service documents it ("Streaming API").

* ``/v1/stream/query``: live query; the request is one query object or a list (multiplexed), in the query
  language of ``/v1/query``; created events carry ``matchedQueries``.
* ``/v1/stream/fetch``: live fetch by contract key (``[{"templateId", "key"}, ...]``); also by
  ``contractId`` (an extension of this ledger).
* Auth: subprotocols ``jwt.token.<JWT>`` and ``daml.ws.auth`` (the server accepts ``daml.ws.auth``).
* Offsets: ``{"offset": "..."}`` before the request, or ``"offset"`` in a query: resume after it, no ACS.
* Messages: see :mod:`ledger.jsonapi.streams.frames`; the order of a stream: :mod:`.stream`.
* Reads go to the engine's stored log page by page (:mod:`.source`); a slow client is disconnected after
  ``LSO_LEDGER_WS_SEND_TIMEOUT_SECONDS`` (:mod:`.session`); idle streams get a heartbeat every
  ``LSO_LEDGER_WS_HEARTBEAT_SECONDS``.

Wired into the app by ``app.include_router(stream_router(ledger, verifier))``. A client-side measure of
create-to-event latency for benches: :func:`ledger.jsonapi.streams.latency.measure_stream_latency`.
"""

from __future__ import annotations

from ledger.jsonapi.streams.routes import stream_router

__all__ = ["stream_router"]
