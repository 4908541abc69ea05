"""Messages to patients outside the page: the outbox (outbox.py), the channels that
carry them (channels.py), and the sender that sends them after the commit (sender.py)."""
