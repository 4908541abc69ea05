// The kiosk's live connection (lib/live.js) and what the page shows of it.
//
// The kiosk hears the display room for the services' waits; the room hears every change
// of the site, but only the newest state matters here, so gaps are not a problem.
// "online", "offline" (or "connecting" at first) is on <body data-connection>.

import { byId } from "../lib/dom.js";
import { connectLive } from "../lib/live.js";
import { reloadWhenUnpaired } from "../lib/pairing.js";
import { config, t } from "./state.js";

let connection = "connecting";
let live = null;

export function setConnection(state) {
  connection = state;
  document.body.dataset.connection = state;
  renderConnection();
}

export function renderConnection() {
  byId("connection").textContent = connection === "offline" ? t("offline") : "";
}

/* Offline as the socket last said: nothing is asked of the server then. */
export function socketOffline() {
  return connection === "offline";
}

/* Offline as the socket or the browser says. */
export function offline() {
  return socketOffline() || !navigator.onLine;
}

/* A request failed: make the socket find out for itself; its "connect" ends the offline
 * state. */
export function reconnectSoon() {
  if (live.socket.connected) live.socket.disconnect();
  live.socket.connect();
}

/* onOnline(): connected (again). onDisplayUpdate(update): the whole display state. */
export function connectKiosk({ onOnline, onDisplayUpdate }) {
  const slug = config.site.slug;
  live = connectLive({
    auth: config.device ? { display: slug, device: config.device } : { display: slug },
    updates: { display_update: onDisplayUpdate },
    onSnapshot: onDisplayUpdate,
    gapMeansMissed: false, // each update carries the whole state
    onState: (state) => {
      if (state !== "live") return setConnection("offline");
      setConnection(navigator.onLine ? "online" : "offline");
      onOnline();
    },
  });
  reloadWhenUnpaired(live.socket);
  window.addEventListener("offline", () => setConnection("offline"));
  window.addEventListener("online", () => {
    if (live.socket.connected) setConnection("online");
    else live.socket.connect();
  });
}
