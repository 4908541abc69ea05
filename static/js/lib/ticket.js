// A ticket's place and wait in words, as the kiosk and the phone say them. Pure: `t` is
// a function from lib/texts.js makeTexts, with the keys place, place_next, estimate and
// estimate_next.

export function placeInLine(t, position) {
  if (!position) return "";
  return position === 1 ? t("place_next") : t("place", { position });
}

export function waitEstimate(t, ticket) {
  if (!ticket.estimate) return "";
  return t(ticket.position === 1 ? "estimate_next" : "estimate", ticket.estimate);
}
