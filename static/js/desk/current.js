// "In this room": the tickets called to the chosen room or in it, newest call first,
// with the buttons that move them on. The newest one's buttons carry the shortcuts.
import { byId, make } from "../lib/dom.js";
import { textsButton, ticketButton, patientName } from "./controls.js";
import { calledTo } from "./queue.js";
import { fetchReminder } from "./needs.js";

export function renderCurrent(desk) {
  const current = calledTo(desk.queue, desk.roomCode);
  const cards = current.map((ticket, index) => currentCard(desk, ticket, index === 0));
  byId("current").replaceChildren(...cards);
  byId("nobody-called").textContent = current.length ? "" : desk.t("nobody_called");
}

function currentCard(desk, ticket, withShortcuts) {
  const card = make("article", "current-ticket");
  const headingId = `current-${ticket.id}`;
  card.setAttribute("aria-labelledby", headingId);
  const heading = make("h3", "current-heading");
  heading.id = headingId;
  heading.append(make("span", "ticket-number", ticket.number), " ", patientName(desk.t, ticket, "span"));
  card.append(heading, ...fetchReminder(desk.t, ticket), make("p", "current-detail", currentDetail(desk, ticket)));
  card.append(currentActions(desk, ticket, withShortcuts));
  return card;
}

function currentDetail({ t, labels }, ticket) {
  const parts = [
    ticket.status === "called"
      ? t("called_at", { time: labels.clockTime(ticket.called_at) })
      : t("in_room_since", { time: labels.clockTime(ticket.started_at) }),
  ];
  if (ticket.status === "called" && ticket.recalls) {
    parts.push(t("recalls", { count: ticket.recalls }));
  }
  if (ticket.appointment_at) {
    parts.push(t("appointment_at", { time: labels.clockTime(ticket.appointment_at) }));
  }
  return parts.join(" · ");
}

function currentActions(desk, ticket, withShortcuts) {
  const { t, actions, dialogs } = desk;
  const key = (name) => `current-${ticket.id}-${name}`;
  const shortcut = (letter) => (withShortcuts ? letter : null);
  const run = (action) => () => actions.ticketAction(ticket, action);
  const buttons = make("div", "actions");
  if (ticket.status === "called") {
    buttons.append(
      ticketButton(t("recall"), ticket, key("recall"), run("recall"), shortcut("R")),
      ticketButton(t("start"), ticket, key("start"), run("start"), shortcut("S")),
      ticketButton(t("no_show"), ticket, key("no-show"), run("no-show"), shortcut("X"))
    );
  } else {
    const complete = ticketButton(t("complete"), ticket, key("complete"), run("complete"), shortcut("C"));
    buttons.append(complete);
  }
  buttons.append(ticketButton(t("transfer"), ticket, key("transfer"), () => dialogs.askTransfer(ticket)));
  if (ticket.status === "called") {
    buttons.append(ticketButton(t("cancel"), ticket, key("cancel"), () => dialogs.askCancel(ticket)));
  }
  if (desk.texts) buttons.append(textsButton(desk, ticket, key("texts")));
  return buttons;
}
