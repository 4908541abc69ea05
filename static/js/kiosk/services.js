// The walk-in services: the buttons with their typical waits, and the site's opening,
// kept up to date from the display updates and asked for again for each new patient.

import { byId, make } from "../lib/dom.js";
import { getJson } from "../lib/http.js";
import { socketOffline } from "./connection.js";
import { config, nameOf, site, t } from "./state.js";
import { show, showProblem } from "./screens.js";

export function renderServices() {
  byId("service-list").replaceChildren(...site.services.map(serviceButton));
}

function serviceButton(service) {
  const button = make("button", "primary service");
  button.type = "button";
  button.dataset.service = service.code;
  button.append(make("span", "service-name", nameOf(service.names)));
  const wait = site.waits[service.prefix];
  if (wait === undefined) return button;
  const waitText = wait > 0 ? t("service_wait", { minutes: wait }) : t("service_no_wait");
  button.append(make("span", "sub", waitText));
  return button;
}

/* A display update (or snapshot) carries every service with its typical wait. */
export function takeDisplayUpdate(update) {
  const services = update.state.services;
  site.services = services;
  site.waits = Object.fromEntries(services.map((service) => [service.prefix, service.typical_wait]));
  renderServices();
}

export async function refreshSite() {
  if (socketOffline()) return;
  try {
    const info = await getJson(config.urls.site);
    site.open = info.open;
    site.services = info.services;
    renderServices();
  } catch {
    // The socket tells us when we are offline; the old list will do until then.
  }
}

export async function startWalkIn() {
  await refreshSite(); // opening hours may have begun or ended since the last patient
  if (!site.open) return showProblem("closed");
  show("walk-in");
}
