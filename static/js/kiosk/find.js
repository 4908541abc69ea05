// "Find your way": the places anyone may look up, grouped by kind, filtered as the
// patient types. The list comes from the destinations API in the patient's language.

import { byId, make } from "../lib/dom.js";
import { withQuery } from "../lib/http.js";
import { config, patient, t } from "./state.js";
import { ask } from "./requests.js";
import { show } from "./screens.js";
import { groupByKind, matches, plain, searchWords } from "./place-search.js";

// The places per language (the site's, not a patient's), kept for the next patient.
const places = {};

export async function openFind() {
  show("find");
  const asking = patient;
  const language = patient.language;
  let answer = null;
  try {
    answer = await ask(withQuery(config.urls.destinations, { lang: language }));
  } catch {
    // renderPlaces says the list could not be had.
  }
  if (patient !== asking) return;
  if (answer) places[language] = answer.destinations;
  renderPlaces();
}

export function renderPlaces() {
  const list = places[patient.language];
  const container = byId("place-list");
  if (!list) {
    container.replaceChildren();
    byId("find-count").textContent = t("places_failed");
    return;
  }
  container.replaceChildren(...groupByKind(list).map(placeGroup));
  filterPlaces();
}

function placeGroup(group) {
  const section = make("section", "place-group");
  const items = make("ul");
  for (const place of group.places) {
    const item = make("li");
    item.append(placeButton(place));
    items.append(item);
  }
  section.append(make("h2", null, group.kind), items);
  return section;
}

function placeButton(place) {
  const button = make("button", "place");
  button.type = "button";
  button.dataset.place = place.code;
  button.dataset.name = place.name;
  const details = [place.floor_name];
  if (place.landmarks.length) details.push(t("near", { landmarks: place.landmarks.join(", ") }));
  button.append(make("span", "place-name", place.name), make("span", "sub", details.join(" · ")));
  button.dataset.search = plain([place.name, place.kind_name, ...details].join(" "));
  return button;
}

/* Show the places whose name, kind, floor or landmarks hold every word typed. */
export function filterPlaces() {
  const words = searchWords(byId("find-entry").value);
  let found = 0;
  document.querySelectorAll("#place-list .place-group").forEach((group) => {
    let shown = 0;
    group.querySelectorAll("li").forEach((item) => {
      item.hidden = !matches(item.firstElementChild.dataset.search, words);
      if (!item.hidden) shown += 1;
    });
    group.hidden = shown === 0;
    found += shown;
  });
  if (!places[patient.language]) return;
  byId("find-count").textContent = found ? t("places_found", { count: found }) : t("no_places");
}

