"""The end of every use case: its queue update, then a refresh of the estimates."""

from __future__ import annotations

from server.services import refresher
from server.services.queue_update import QueueUpdate


class SiteChange(QueueUpdate):
    """What one use case changed in one site. Its update is published with the promises
    patients already hold; the estimates that the change moves follow it (refresher.py)."""

    def finish(self) -> int:
        """Commit and publish; returns the site's new sequence number."""
        # Read before the commit: after it, the site would be read again, and on SQLite
        # that opens a transaction holding the write lock until the request ends.
        slug = self.site.slug
        seq = super().finish()
        refresher.refresh_soon(slug)
        return seq
