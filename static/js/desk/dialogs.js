// The dialogs that ask before a ticket action: priority, transfer, cancel. The action
// runs when the dialog closes with "save". And the one a refused call opens: the room's
// patient was called and has not come (see previousChoice).
import { byId } from "../lib/dom.js";
import { option } from "./controls.js";
import { transferTargets } from "./queue.js";

// What the desk said about a room's patient who has not come, as the API's `previous`;
// null: keep waiting for them (no call is made).
export function previousChoice(returnValue) {
  return returnValue === "no_show" || returnValue === "return" ? returnValue : null;
}

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

  // The call is made again with the desk's choice; focus goes back to what was pressed.
  let onOccupantChoice = null;
  const occupiedDialog = byId("occupied-dialog");
  occupiedDialog.addEventListener("close", () => {
    const choose = onOccupantChoice;
    onOccupantChoice = null;
    const previous = previousChoice(occupiedDialog.returnValue);
    if (choose) choose(previous);
  });

  function askAboutOccupant(occupant, callAgain, returnFocusTo) {
    onOccupantChoice = (previous) => {
      if (previous) callAgain(previous);
      else if (returnFocusTo && returnFocusTo.isConnected) returnFocusTo.focus();
    };
    occupiedDialog.querySelector("h2").textContent = t("occupied_title", { number: occupant.number });
    occupiedDialog.returnValue = "";
    occupiedDialog.showModal();
  }

  return { askPriority, askTransfer, askCancel, askAboutOccupant };
}
