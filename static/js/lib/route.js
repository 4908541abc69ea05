// A route on a page: its facts, its steps and its floor drawings, as the route API
// answers them (GET /api/.../route). The drawings are SVG made and escaped by the
// server (server/wayfinding/drawing.py), parsed here as SVG, never as HTML.

import { byId } from "./dom.js";

/* Fills #<part>-title, -facts, -steps and -maps of a page. `titleKey` and `floorKey` name
 * the page's own texts; `drawingIds` prefixes the drawings' ids, so that two routes on
 * one page never share one. */
export function fillRoute(part, route, t, options = {}) {
  const { titleKey = "route_title", floorKey = "route_floor", drawingIds = "" } = options;
  byId(part + "-title").textContent = t(titleKey, { place: route.to.name });
  byId(part + "-facts").textContent = routeFacts(route, t, floorKey);
  fillSteps(byId(part + "-steps"), route.steps);
  fillDrawings(byId(part + "-maps"), route.drawings, drawingIds);
}

/* "4 min · Floor: Level 1 · Step-free route": `t` gives the words, `floorKey` names the
 * page's "Floor: {floor}" text. Pure. */
export function routeFacts(route, t, floorKey = "route_floor") {
  const facts = [route.duration, t(floorKey, { floor: route.to.floor_name })];
  if (route.mode === "step_free") facts.push(t("step_free_on"));
  return facts.join(" · ");
}

/* The ids of a drawing with `prefix`: "map-1-title" -> "way-map-1-title". Pure. */
export function prefixedIds(ids, prefix) {
  return ids
    .split(" ")
    .filter(Boolean)
    .map((id) => prefix + id)
    .join(" ");
}

export function fillSteps(list, steps) {
  list.replaceChildren(
    ...steps.map((step) => {
      const item = document.createElement("li");
      item.textContent = step.text;
      return item;
    })
  );
}

/* One figure per floor. `prefix` keeps ids apart when a page shows two routes. */
export function fillDrawings(container, drawings, prefix = "") {
  container.replaceChildren(...drawings.map((drawing) => routeFigure(drawing, prefix)));
}

export function routeFigure(drawing, prefix = "") {
  const figure = document.createElement("figure");
  figure.className = "route-figure";
  const caption = document.createElement("figcaption");
  caption.textContent = drawing.name;
  figure.append(caption, svgDrawing(drawing.svg, prefix));
  return figure;
}

/* A drawing from the server, as an element (an empty span if it is not SVG). Its ids
 * (title, description, arrow) and the references to them get `prefix`. */
export function svgDrawing(text, prefix = "") {
  const parsed = new DOMParser().parseFromString(text, "image/svg+xml");
  if (parsed.documentElement.localName !== "svg") return document.createElement("span");
  const svg = document.importNode(parsed.documentElement, true);
  if (!prefix) return svg;
  svg.querySelectorAll("[id]").forEach((node) => {
    node.id = prefix + node.id;
  });
  const labels = svg.getAttribute("aria-labelledby");
  if (labels) svg.setAttribute("aria-labelledby", prefixedIds(labels, prefix));
  svg.querySelectorAll("[marker-end]").forEach((node) => {
    node.setAttribute("marker-end", node.getAttribute("marker-end").replace("url(#", "url(#" + prefix));
  });
  return svg;
}
