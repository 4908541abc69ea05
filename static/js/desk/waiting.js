// The tickets that wait for a service of the chosen room, in call order, and the ones
// that did not come when called (no-shows), newest first.
import { byId, make } from "../lib/dom.js";
import { textsButton, ticketButton, patientName } from "./controls.js";
import { minutesSince, missedFor, waitingFor } from "./queue.js";
import { matchesNeedFilter, needFilter } from "./needs.js";

export function renderWaiting(desk) {
  const filter = needFilter();
  const waiting = waitingFor(desk.queue, desk.room()).filter((ticket) => matchesNeedFilter(ticket, filter));
  byId("waiting-list").replaceChildren(...waiting.map((ticket) => waitingRow(desk, ticket)));
  byId("waiting-count").textContent = `(${waiting.length})`;
  byId("nobody-waiting").textContent = waiting.length ? "" : desk.t("nobody_waiting");
}

export function estimateText(t, estimate) {
  if (!estimate) return "";
  if (estimate.central === 0) return t("next");
  return t("estimate", estimate);
}

function waitingRow(desk, ticket) {
  const { t, labels } = desk;
  const row = make("tr");
  row.dataset.ticket = ticket.number;
  if (ticket.priority > 0) row.className = "priority-raised";
  // The number, and under it the service (a room may serve several).
  const number = make("th", "ticket-number", ticket.number);
  number.scope = "row";
  number.append(make("span", "ticket-service", labels.serviceName(ticket.service.prefix)));
  const away = notHereText(t, labels, ticket);
  if (away) {
    number.append(make("span", "ticket-not-here", away));
    row.classList.add("not-here");
  }
  row.append(
    number,
    patientName(t, ticket, "td"),
    make("td", "waited", t("minutes", { minutes: minutesSince(ticket.arrived_at) })),
    make("td", null, estimateText(t, ticket.estimate)),
    make("td", null, labels.clockTime(ticket.appointment_at)),
    make("td", "priority", t(`priority_${ticket.priority}`) || String(ticket.priority)),
    rowActions(desk, ticket)
  );
  return row;
}

// A remote ticket not in yet: "call next" passes over it (server/domain/remote.py).
export function notHereText(t, labels, ticket) {
  const remote = ticket.remote;
  if (!remote || remote.here) return "";
  if (remote.held) return t("held");
  return t("not_here", { time: labels.clockTime(remote.expected_at) });
}

function rowActions(desk, ticket) {
  const { t, actions, dialogs } = desk;
  const key = (name) => `ticket-${ticket.id}-${name}`;
  const callHere = ticketButton(t("call_here"), ticket, key("call"), function callIt(previous) {
    const body = { room: desk.roomCode, ...(typeof previous === "string" ? { previous } : {}) };
    actions.ticketAction(ticket, "call", body, (occupant) => {
      const again = document.querySelector(`[data-focus-key="${key("call")}"]`);
      dialogs.askAboutOccupant(occupant, callIt, again);
    });
  });
  const room = desk.room();
  callHere.disabled = !room || room.paused;
  const cell = make("td", "actions");
  if (ticket.remote && !ticket.remote.here) {
    cell.append(ticketButton(t("arrive"), ticket, key("arrive"), () => actions.ticketAction(ticket, "arrive")));
  }
  cell.append(
    callHere,
    ticketButton(t("priority"), ticket, key("priority"), () => dialogs.askPriority(ticket)),
    ticketButton(t("transfer"), ticket, key("transfer"), () => dialogs.askTransfer(ticket)),
    ticketButton(t("cancel"), ticket, key("cancel"), () => dialogs.askCancel(ticket))
  );
  if (desk.texts) cell.append(textsButton(desk, ticket, key("texts")));
  return cell;
}

export function renderMissed(desk) {
  const missed = missedFor(desk.queue, desk.room());
  byId("missed-section").hidden = missed.length === 0;
  byId("missed-list").replaceChildren(...missed.map((ticket) => missedItem(desk, ticket)));
}

function missedItem(desk, ticket) {
  const { t, labels, actions, dialogs } = desk;
  const item = make("li", "missed-ticket");
  item.dataset.ticket = ticket.number;
  item.append(
    make("span", "ticket-number", ticket.number),
    patientName(t, ticket, "span"),
    make("span", "current-detail", t("no_show_at", { time: labels.clockTime(ticket.called_at) })),
    ticketButton(t("return"), ticket, `missed-${ticket.id}-return`, () => {
      actions.ticketAction(ticket, "return");
    }),
    ticketButton(t("cancel"), ticket, `missed-${ticket.id}-cancel`, () => dialogs.askCancel(ticket))
  );
  if (desk.texts) item.append(textsButton(desk, ticket, `missed-${ticket.id}-texts`));
  return item;
}
