/* The arrival poster's page (/arrive/<site>?key=…): "I'm here" with one tap, for each
 * ticket of this site the phone holds (lib/remote-tickets.js). The key goes with it:
 * the server accepts it in place of the day's code (server/services/remote.py). */
import { ApiError, postJson } from "./lib/http.js";
import { byId, make, pageConfig } from "./lib/dom.js";
import { forgetTicket, ticketsOf } from "./lib/remote-tickets.js";
import { makeTexts } from "./lib/texts.js";

const config = pageConfig("arrive-config");
const t = makeTexts(config.texts);
const GONE = [404, 410]; // a ticket we never issued, or one that ended
const box = byId("arrive-tickets");
const fill = (url, token) => url.replace(config.placeholder, encodeURIComponent(token));

async function arrive(ticket, button) {
  button.disabled = true;
  byId("arrive-problem").textContent = "";
  try {
    await postJson(fill(config.urls.arrive, ticket.token), { key: config.key });
  } catch (error) {
    button.disabled = false;
    if (error instanceof ApiError && GONE.includes(error.status)) {
      forgetTicket(config.site, ticket.token);
      button.remove();
      byId("arrive-problem").textContent = t("ended");
      return;
    }
    // 409: it has arrived, or is no longer waiting; its own page says which.
    if (!(error instanceof ApiError && error.status === 409)) {
      byId("arrive-problem").textContent = error.message || t("failed");
      return;
    }
  }
  forgetTicket(config.site, ticket.token);
  byId("arrive-status").textContent = t("done");
  location.assign(fill(config.urls.ticket, ticket.token));
}

const tickets = ticketsOf(config.site);
for (const ticket of tickets) {
  const button = make("button", "primary arrive-ticket", t("arrive", { number: ticket.number }));
  button.type = "button";
  button.addEventListener("click", () => arrive(ticket, button));
  box.append(button);
}
box.hidden = tickets.length === 0;
