// The way from this kiosk to a place, asked of the route API and put on screen: for
// "Find your way" (the route screen) and for the ticket's way to its waiting area.

import { withQuery } from "../lib/http.js";
import { config, patient } from "./state.js";
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
