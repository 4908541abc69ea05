// The ticket screen follows its ticket live, as the patient's phone does, until the
// patient leaves the screen: the wait shown (and printed on the slip) is the latest
// estimate, not the one the check-in answered with.
//
// The kiosk's own connection is to the display room; a ticket's updates go to its own
// room (ticket:<id>), which only the ticket's token may join. So the screen opens a
// second connection with that token (lib/live.js) and closes it when the screen goes.

import { connectLive } from "../lib/live.js";

let live = null;

/* `checkedIn`: the check-in API's answer ({ticket, token, seq}); onChange(ticket): the
 * ticket as it is now, its place and estimate the latest. */
export function followTicket(checkedIn, onChange) {
  stopFollowing();
  let current = checkedIn.ticket;
  const take = (ticket) => {
    current = ticket;
    onChange(current);
  };
  live = connectLive({
    auth: { ticket: checkedIn.token },
    gapMeansMissed: false, // the ticket's room hears only changes that concern it
    updates: {
      ticket_update: (update) => take(update.ticket),
      ticket_place: (update) => {
        if (current.status !== "waiting") return false;
        take({ ...current, position: update.position, estimate: update.estimate });
      },
    },
    onSnapshot: (snapshot) => take(snapshot.ticket),
  });
  // What the check-in answered is the ticket as of its seq: older news is dropped.
  live.receiveSnapshot({ seq: checkedIn.seq, kind: "snapshot", ticket: current });
}

export function stopFollowing() {
  if (live) live.close();
  live = null;
}
