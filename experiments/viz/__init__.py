"""Serving the browser page: its front-end assets offline, and a guard in front of the server."""
