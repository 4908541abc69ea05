"""Socket.IO: room names, publish helpers and the connection handlers."""
