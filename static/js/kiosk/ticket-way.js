// The way to the waiting area, under the ticket: its first steps, then with "Show the
// way" all of them and the map.

import { byId } from "../lib/dom.js";
import { patient, t } from "./state.js";
import { fetchRoute } from "./routes.js";
import { fillRoute } from "../lib/route.js";

const SHORT_WAY_STEPS = 2; // the steps shown before "Show the way"

export async function showWayToWaitingArea(area) {
  const asking = patient;
  const found = await fetchRoute(area);
  // No way found (or a new patient): the ticket simply shows none.
  if (patient !== asking || !found.route) return;
  fillRoute("way", found.route, t, { drawingIds: "way-" });
  renderWay();
  byId("ticket-way").hidden = false;
}

export function toggleWay() {
  patient.wayOpen = !patient.wayOpen;
  renderWay();
}

function renderWay() {
  const open = patient.wayOpen;
  byId("way-steps").querySelectorAll("li").forEach((item, index) => {
    item.hidden = !open && index >= SHORT_WAY_STEPS;
  });
  byId("way-maps").hidden = !open;
  const toggle = byId("way-toggle");
  toggle.setAttribute("aria-expanded", String(open));
  toggle.textContent = open ? t("show_less") : t("show_way");
}

/* Hidden for the next patient (its contents are data-patient, emptied with the rest). */
export function forgetWay() {
  const way = byId("ticket-way");
  if (!way) return; // a site without a map has no way to show
  way.hidden = true;
  byId("way-maps").hidden = true;
  byId("way-toggle").setAttribute("aria-expanded", "false");
}
