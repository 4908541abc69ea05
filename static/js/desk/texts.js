// A ticket's texts at the desk: add or replace the patient's number, stop texts, type
// one message to them; and the news, over the staff socket, that a text did not go
// out, so that staff can tell the patient in person. Only the number's last two digits
// ever reach the page.
import { byId } from "../lib/dom.js";

export function textsState(t, texts) {
  if (!texts) return t("texts_none");
  const key = texts.last === "failed" ? "texts_state_failed" : "texts_state_on";
  return t(key, { digits: texts.last_digits });
}

// What the desk is told of a send ("" when nothing needs saying: a text went out).
export function textNews(t, update) {
  const number = update.ticket.number;
  if (update.outcome === "failed") return t("text_not_sent", { number });
  if (update.outcome === "gone") return t("number_refused", { number });
  return "";
}

// What a patient said by text, for the desk ("" for a keyword the desk need not hear).
export function replyNews(t, update) {
  const words = { late: "reply_late", other: "reply_other", stop: "reply_stop", leave: "reply_leave" };
  const key = words[update.keyword];
  return key ? t(key, { number: update.ticket.number, text: update.text || "" }) : "";
}

// The news changes the ticket's texts in the desk's copy of the queue.
export function applyTextsNews(queue, update) {
  const known = queue.tickets.get(update.ticket.id);
  if (known) queue.tickets.set(update.ticket.id, { ...known, texts: update.texts });
}

export function makeTextsDialog({ t, queue, act }) {
  const dialog = byId("texts-dialog");
  const error = byId("texts-error");
  let ticketId = null;

  const current = () => queue.tickets.get(ticketId);

  function showState() {
    const ticket = current();
    const texts = ticket ? ticket.texts : null;
    byId("texts-state").textContent = textsState(t, texts);
    byId("texts-remove").hidden = !texts;
    byId("texts-message-form").hidden = !texts;
  }

  function open(ticket) {
    ticketId = ticket.id;
    dialog.querySelector("h2").textContent = t("texts_title", { number: ticket.number });
    byId("texts-number").value = "";
    byId("texts-message").value = "";
    error.textContent = "";
    showState();
    dialog.showModal();
  }

  // One request; on success the dialog closes and the feedback line says what
  // happened; a refusal is said in the dialog, where the staff member is.
  async function run(path, body, doneKey) {
    const ticket = current();
    if (!ticket) return dialog.close();
    error.textContent = "";
    const describe = () => t(doneKey, { number: ticket.number });
    const answer = await act(`/tickets/${ticket.id}/${path}`, body, describe, null, (text) => {
      error.textContent = text;
    });
    if (!answer) return;
    applyTextsNews(queue, { ticket, texts: answer.texts });
    dialog.close();
  }

  byId("texts-number-form").addEventListener("submit", (event) => {
    event.preventDefault();
    run("texts", { number: byId("texts-number").value }, "texts_saved");
  });
  byId("texts-message-form").addEventListener("submit", (event) => {
    event.preventDefault();
    run("message", { text: byId("texts-message").value }, "text_queued");
  });
  byId("texts-remove").addEventListener("click", () => run("texts/remove", {}, "texts_removed"));
  byId("texts-close").addEventListener("click", () => dialog.close());

  // The news of a send about the ticket open here.
  function refresh(update) {
    if (dialog.open && update.ticket.id === ticketId) showState();
  }

  return { open, refresh };
}
