"""Display pages (issue: the waiting-room display and the front-desk console)."""
