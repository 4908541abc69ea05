// A ticket's Web Push at the desk: the news, over the staff socket, that an alert to the
// patient's phone did not go out, or that the phone takes none any more, so that staff
// can tell the patient in person. The desk never sees the subscription.

// What the desk is told of a push ("" when nothing needs saying: it went out).
export function pushNews(t, update) {
  const number = update.ticket.number;
  if (update.outcome === "failed") return t("alert_not_sent", { number });
  if (update.outcome === "gone") return t("alerts_refused", { number });
  return "";
}

// The news changes the ticket's push in the desk's copy of the queue (null: off).
export function applyPushNews(queue, update) {
  const known = queue.tickets.get(update.ticket.id);
  if (known) queue.tickets.set(update.ticket.id, { ...known, push: update.push });
}
