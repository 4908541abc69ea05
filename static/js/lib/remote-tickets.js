// The remote tickets this phone holds, by site: the ticket page remembers a ticket that
// joined from home until it has arrived, so that the arrival poster's page can say
// "I'm here" for it with one tap (static/js/arrive.js). Kept in local storage only.

import { readStored, writeStored } from "./store.js";

const KEY = "waitroom.remote-tickets";
const MOST_PER_SITE = 5; // a family's tickets; older ones are let go

function readAll() {
  try {
    const all = JSON.parse(readStored(KEY) || "{}");
    return all && typeof all === "object" && !Array.isArray(all) ? all : {};
  } catch {
    return {};
  }
}

/* [{token, number}] of a site, newest first. */
export function ticketsOf(site) {
  const list = readAll()[site];
  return Array.isArray(list) ? list.filter((t) => t && typeof t.token === "string") : [];
}

export function rememberTicket(site, token, number) {
  const all = readAll();
  const others = ticketsOf(site).filter((t) => t.token !== token);
  all[site] = [{ token, number }, ...others].slice(0, MOST_PER_SITE);
  writeStored(KEY, JSON.stringify(all));
}

export function forgetTicket(site, token) {
  const all = readAll();
  if (!all[site]) return;
  all[site] = ticketsOf(site).filter((t) => t.token !== token);
  if (all[site].length === 0) delete all[site];
  writeStored(KEY, JSON.stringify(all));
}
