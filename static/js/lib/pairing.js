// A new kiosk or display waits here until an administrator pairs it (/admin/devices).
//
// It asks the server whether it is paired: a screen that is no device yet belongs to no
// site, so it has no room to hear its pairing in. Once paired, the answer says what it
// now is; the server's cookie on that answer makes it that device from then on.
import { getJson } from "./http.js";
import { byId } from "./dom.js";
import { fill } from "./texts.js";

// It asks every 2 s at first (an administrator who just typed the code sees the screen
// change at once), then half as often again each time, up to every 6 s; a server that
// says "too many" (429, server/screens.py) is asked again after 30 s.
const FIRST_ASK_MS = 2000;
const LAST_ASK_MS = 6000;
const LIMITED_MS = 30000;

/* How long to wait before asking again, after waiting `previous` ms and being answered
 * with `status` (200, 429, or 0 for no answer). */
export function askAgainAfter(previous, status) {
  if (status === 429) return LIMITED_MS;
  if (previous >= LIMITED_MS) return FIRST_ASK_MS; // allowed again: start over
  return Math.min(LAST_ASK_MS, Math.round(previous * 1.5));
}

/* Resolves with the server's answer once this screen is paired. */
export function waitUntilPaired(pairing, expiresText) {
  showCode(pairing, expiresText);
  return new Promise((resolve) => {
    let wait = FIRST_ASK_MS;
    const ask = async () => {
      let answer = null;
      let status = 200;
      try {
        answer = await getJson(pairing.status_url);
      } catch (error) {
        status = error.status || 0; // the server is away for a moment: ask again
      }
      if (answer && answer.paired) {
        resolve(answer);
        return;
      }
      if (answer) showCode(answer, expiresText); // an expired code is replaced
      wait = askAgainAfter(wait, status);
      setTimeout(ask, wait);
    };
    setTimeout(ask, wait);
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
