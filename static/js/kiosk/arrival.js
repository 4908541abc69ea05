// "I joined online": a patient who joined the line from home types their ticket number
// (or the mobile number they joined with) on the on-screen keys; their ticket is marked
// arrived and the kiosk shows where to wait, as after a check-in.

import { byId } from "../lib/dom.js";
import { config } from "./state.js";
import { send } from "./requests.js";
import { showEntryError } from "./screens.js";
import { showArrival } from "./ticket.js";

export function arriveByTicket() {
  const number = byId("online-entry").value.trim();
  if (!number) return showEntryError("online_empty");
  arrive({ ticket_number: number });
}

export function arriveByMobile() {
  const mobile = byId("online-mobile-entry").value.trim();
  if (!mobile) return showEntryError("online_mobile_empty");
  arrive({ mobile });
}

async function arrive(body) {
  const arrived = await send(config.urls.arrival, body, true);
  if (arrived) showArrival(arrived);
}
