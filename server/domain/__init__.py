"""Pure queue rules. Nothing in this package may import Flask, SQLAlchemy or Socket.IO."""
