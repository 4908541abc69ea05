// Small DOM helpers every page uses.

export function byId(id) {
  return document.getElementById(id);
}

/* make("li", "notice", "text"): an element with an optional class and text. */
export function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

/* The JSON the server put in <script type="application/json" id="...">. */
export function pageConfig(id) {
  return JSON.parse(byId(id).textContent);
}
