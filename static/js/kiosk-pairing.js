// A new kiosk's pairing page: once an administrator pairs it, it opens as that kiosk.
import { pageConfig } from "./lib/dom.js";
import { waitUntilPaired } from "./lib/pairing.js";

const config = pageConfig("pairing-config");
await waitUntilPaired(config.pairing, config.expires);
// The kiosk's page is built for its device on the server: load it (the cookie says which).
window.location.reload();
