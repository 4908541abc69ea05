// The ticket screen: the number, the place in line and the wait, the QR code that opens
// the ticket on a phone, and (with a map) the way to the waiting area.

import { byId } from "../lib/dom.js";
import { placeInLine, waitEstimate } from "../lib/ticket.js";
import { config, nameOf, patient, t } from "./state.js";
import { show } from "./screens.js";
import { showWayToWaitingArea } from "./ticket-way.js";
import { offerTexts } from "./text-me.js";

/* `checkedIn`: the check-in API's answer, {ticket, token, waiting_area?}. */
export function showTicket(checkedIn) {
  const ticket = checkedIn.ticket;
  byId("ticket-number").textContent = ticket.number;
  byId("ticket-service").textContent = nameOf(ticket.service.names);
  byId("ticket-place").textContent = placeInLine(t, ticket.position);
  byId("ticket-wait").textContent = waitEstimate(t, ticket);
  showPhoneLink(encodeURIComponent(checkedIn.token));
  offerTexts(encodeURIComponent(checkedIn.token));
  byId("ticket-time").textContent = t("checked_in_at", { time: localTime(ticket.arrived_at) });
  show("ticket");
  if (config.wayfinding && checkedIn.waiting_area) showWayToWaitingArea(checkedIn.waiting_area);
}

/* The ticket's phone page: addresses with the server's placeholder for the token. */
function showPhoneLink(token) {
  const placeholder = config.token_placeholder;
  const qr = byId("ticket-qr");
  qr.src = config.urls.qr.replace(placeholder, token);
  qr.alt = t("qr_alt");
  byId("ticket-link").textContent = config.urls.phone_short.replace(placeholder, token);
}

/* The time at the clinic (not the kiosk's clock setting), as the patient's language writes it. */
function localTime(iso) {
  const format = new Intl.DateTimeFormat(patient.language, {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: config.site.timezone,
  });
  return format.format(new Date(iso));
}
