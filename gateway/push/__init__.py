"""Push channels to the app: Server-Sent Events and a WebSocket, fed by the bridge's events."""
