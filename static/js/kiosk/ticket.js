// The ticket screen: the number, the place in line and the wait (kept up to date while
// the screen shows: follow.js), the QR code that opens the ticket on a phone, and (with
// a map) the way to the waiting area.

import { byId } from "../lib/dom.js";
import { placeInLine, waitEstimate } from "../lib/ticket.js";
import { config, nameOf, patient, t } from "./state.js";
import { show } from "./screens.js";
import { showWayToWaitingArea } from "./ticket-way.js";
import { followTicket } from "./follow.js";
import { offerTexts } from "./text-me.js";

/* `checkedIn`: the check-in API's answer, {ticket, token, seq, waiting_area?}. */
export function showTicket(checkedIn) {
  const ticket = checkedIn.ticket;
  showSlip(ticket, "ticket_title", ticket.arrived_at);
  showPhoneLink(encodeURIComponent(checkedIn.token));
  offerTexts(encodeURIComponent(checkedIn.token));
  show("ticket");
  followTicket(checkedIn, showPlace);
  if (config.wayfinding && checkedIn.waiting_area) showWayToWaitingArea(checkedIn.waiting_area);
}

/* "I joined online": `arrived` is {ticket, seq, waiting_area?}, without the token (the
 * kiosk never learns it; the patient's phone already has the page), so neither the
 * phone link nor "Text me" is offered, and the screen does not follow the ticket. */
export function showArrival(arrived) {
  showSlip(arrived.ticket, "arrived_title", new Date().toISOString());
  byId("ticket-phone").hidden = true;
  const textMe = byId("text-me");
  if (textMe) textMe.hidden = true;
  show("ticket");
  if (config.wayfinding && arrived.waiting_area) showWayToWaitingArea(arrived.waiting_area);
}

function showSlip(ticket, title, time) {
  const heading = byId("ticket-title");
  heading.dataset.text = title;
  heading.textContent = t(title);
  byId("ticket-phone").hidden = false;
  const textMe = byId("text-me");
  if (textMe) textMe.hidden = false;
  byId("ticket-number").textContent = ticket.number;
  byId("ticket-service").textContent = nameOf(ticket.service.names);
  showPlace(ticket);
  byId("ticket-time").textContent = t("checked_in_at", { time: localTime(time) });
}

/* The place in line and the wait while the ticket waits; nothing once it is called. */
function showPlace(ticket) {
  const waiting = ticket.status === "waiting";
  byId("ticket-place").textContent = waiting ? placeInLine(t, ticket.position) : "";
  byId("ticket-wait").textContent = waiting ? waitEstimate(t, ticket) : "";
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
