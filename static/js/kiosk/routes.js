// The way from this kiosk to a place, asked of the route API and put on screen: for
// "Find your way" (the route screen) and for the ticket's way to its waiting area.

import { byId } from "../lib/dom.js";
import { withQuery } from "../lib/http.js";
import { fillDrawings, fillSteps, routeFacts } from "../lib/route.js";
import { config, patient, t } from "./state.js";
import { ask } from "./requests.js";

/* The route's query; `mode` as the route was found, else as the patient chose. */
export function routeQuery(to, mode) {
  return {
    from: config.wayfinding.from,
    to,
    mode: mode || (patient.stepFree ? "step_free" : "shortest"),
    lang: patient.language,
  };
}

/* {route}, or {problem: the key of a text that says why not}. */
export async function fetchRoute(to) {
  try {
    return { route: await ask(withQuery(config.urls.route, routeQuery(to))) };
  } catch (error) {
    return { problem: error.code === "no_step_free_route" ? "no_step_free_route" : "route_failed" };
  }
}

/* Fills #<part>-title, -facts, -steps and -maps. `drawingIds` prefixes the drawings'
 * ids, so that the two routes' drawings never share one. */
export function fillRouteParts(part, route, drawingIds) {
  byId(part + "-title").textContent = t("route_title", { place: route.to.name });
  byId(part + "-facts").textContent = routeFacts(route, t);
  fillSteps(byId(part + "-steps"), route.steps);
  fillDrawings(byId(part + "-maps"), route.drawings, drawingIds);
}
