// The route screen: the way from this kiosk to the place chosen under "Find your way",
// with a QR code that opens the same route on a phone. The drawings are SVG made by the
// server, and the QR code too (/kiosk/route/qr.svg).

import { byId } from "../lib/dom.js";
import { withQuery } from "../lib/http.js";
import { config, patient, t } from "./state.js";
import { fetchRoute, routeQuery } from "./routes.js";
import { fillRoute } from "../lib/route.js";
import { forget } from "./forget.js";
import { show } from "./screens.js";

const ROUTE_PARTS = ["route-facts", "route-problem", "route-steps", "route-maps", "route-link", "route-qr"];

export function choosePlace(button) {
  patient.place = { code: button.dataset.place, name: button.dataset.name };
  showRoute();
}

/* Shows the route to the chosen place (again, when the step-free choice changed). */
export async function showRoute() {
  const place = patient.place;
  byId("route-title").textContent = t("route_title", { place: place.name });
  ROUTE_PARTS.forEach((id) => forget(byId(id)));
  byId("route-body").hidden = true;
  byId("route-phone").hidden = true;
  if (patient.screen !== "route") show("route");
  const asking = patient;
  const found = await fetchRoute(place.code);
  // Another patient, or another place chosen since: this answer is no longer wanted.
  if (patient !== asking || patient.place !== place) return;
  if (found.problem) {
    byId("route-problem").textContent = t(found.problem);
    return;
  }
  fillRouteScreen(found.route, place);
}

function fillRouteScreen(route, place) {
  fillRoute("route", route, t, { drawingIds: "find-" });
  const qr = byId("route-qr");
  qr.src = withQuery(config.urls.route_qr, { site: config.site.slug, ...routeQuery(place.code, route.mode) });
  qr.alt = t("route_qr_alt");
  // The address the QR code holds: the route page at the address phones use.
  const link = config.public_base + route.url.slice(config.script_root.length);
  const written = byId("route-link");
  written.textContent = link.split("://").pop();
  written.dataset.link = link;
  byId("route-body").hidden = false;
  byId("route-phone").hidden = false;
}
