// A new kiosk or display waits here until an administrator pairs it (/admin/devices).
//
// It asks the server every few seconds: a screen that is no device yet belongs to no
// site, so it has no room to hear its pairing in. Once paired, the answer says what it
// now is; the server's cookie on that answer makes it that device from then on.
import { getJson } from "./http.js";
import { byId } from "./dom.js";
import { fill } from "./texts.js";

const ASK_EVERY_MS = 2000;

/* Resolves with the server's answer once this screen is paired. */
export function waitUntilPaired(pairing, expiresText) {
  showCode(pairing, expiresText);
  return new Promise((resolve) => {
    const ask = async () => {
      let answer = null;
      try {
        answer = await getJson(pairing.status_url);
      } catch {
        // The server is away for a moment: ask again.
      }
      if (answer && answer.paired) {
        resolve(answer);
        return;
      }
      if (answer) showCode(answer, expiresText); // an expired code is replaced
      setTimeout(ask, ASK_EVERY_MS);
    };
    setTimeout(ask, ASK_EVERY_MS);
  });
}

function showCode(pairing, expiresText) {
  byId("pairing-code").textContent = pairing.code;
  const minutes = Math.max(1, Math.ceil(pairing.expires_in / 60));
  byId("pairing-expires").textContent = fill(expiresText, { minutes });
}

/* A paired screen that an administrator unpairs is told so (its socket is then dropped),
 * or refused when it connects again: it loads its page again, which shows a new code. */
export function reloadWhenUnpaired(socket) {
  socket.on("screen_unpaired", () => window.location.reload());
  socket.on("connect_error", (error) => {
    if (error && error.message === "screen_unpaired") window.location.reload();
  });
}
