// "Use my location" for "I'm here" on a remote ticket's page. The browser is asked for
// its position only when the patient taps the button, never when the page loads; the
// position is sent once and the server keeps nothing of it (server/services/remote.py).
// If the phone says no, or the position is not at the site, the code still works.
import { ApiError, postJson } from "../lib/http.js";
import { byId } from "../lib/dom.js";

const FIX_TIMEOUT_MS = 15000;

function position() {
  return new Promise((resolve, reject) => {
    navigator.geolocation.getCurrentPosition(resolve, reject, {
      enableHighAccuracy: true,
      timeout: FIX_TIMEOUT_MS,
      maximumAge: 60000,
    });
  });
}

export function askForLocation({ url, t, arrived }) {
  const button = byId("arrive-location");
  const state = byId("arrive-location-state");
  const problem = byId("arrive-location-problem");
  if (!button) return;
  if (!("geolocation" in navigator)) {
    button.hidden = true;
    return;
  }
  button.addEventListener("click", async () => {
    button.disabled = true;
    problem.textContent = "";
    state.textContent = t("location_finding");
    try {
      const { coords } = await position();
      const body = { latitude: coords.latitude, longitude: coords.longitude, accuracy: coords.accuracy };
      arrived(await postJson(url, body));
      state.textContent = "";
    } catch (error) {
      state.textContent = "";
      // The server's words (not at the site), or ours: no answer, or the phone refused.
      if (error instanceof ApiError) problem.textContent = error.message || t("push_failed");
      else problem.textContent = t("location_refused");
      byId("arrival-code").focus();
    } finally {
      button.disabled = false;
    }
  });
}
