// The dialogs that ask before a ticket action: priority, transfer, cancel. The action
// runs when the dialog closes with "save".
import { byId } from "../lib/dom.js";
import { option } from "./controls.js";
import { transferTargets } from "./queue.js";

export function makeDialogs({ t, queue, labels, ticketAction }) {
  let dialogTicket = null;

  function open(dialog, ticket, titleKey) {
    dialogTicket = ticket;
    dialog.querySelector("h2").textContent = t(titleKey, { number: ticket.number });
    dialog.returnValue = "";
    dialog.showModal();
  }

  function whenSaved(dialog, run) {
    dialog.addEventListener("close", () => {
      const ticket = dialogTicket;
      dialogTicket = null;
      if (dialog.returnValue === "save" && ticket) run(ticket);
    });
  }

  whenSaved(byId("priority-dialog"), (ticket) => {
    ticketAction(ticket, "priority", { level: parseInt(byId("priority-level").value, 10) });
  });
  whenSaved(byId("transfer-dialog"), (ticket) => {
    ticketAction(ticket, "transfer", { service: byId("transfer-service").value });
  });
  whenSaved(byId("cancel-dialog"), (ticket) => ticketAction(ticket, "cancel", {}));

  // The next level up is the likely choice.
  function askPriority(ticket) {
    byId("priority-level").value = String(Math.min(ticket.priority + 1, 3));
    open(byId("priority-dialog"), ticket, "priority_title");
  }

  function askTransfer(ticket) {
    const choices = transferTargets(queue, ticket).map((s) => option(s.prefix, labels.nameOf(s.names)));
    byId("transfer-service").replaceChildren(...choices);
    open(byId("transfer-dialog"), ticket, "transfer_title");
  }

  function askCancel(ticket) {
    open(byId("cancel-dialog"), ticket, "cancel_title");
  }

  return { askPriority, askTransfer, askCancel };
}
