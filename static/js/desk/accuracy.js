// Today's share of wait estimates that came true. It changes only when someone is
// called, so it is fetched then (and at connect), not polled.
import { byId } from "../lib/dom.js";
import { getJson } from "../lib/http.js";

const ACCURACY_DELAY_MS = 3000; // calls often come in bursts: score once after them

export function accuracyText(t, figures) {
  if (!figures || !figures.patients) return t("accuracy_none");
  return t("accuracy", {
    share: Math.round(figures.within_10 * 100),
    coverage: Math.round(figures.coverage * 100),
    patients: figures.patients,
  });
}

export function makeAccuracy({ api, t }) {
  let timer = null;

  async function refresh() {
    let report;
    try {
      report = await getJson(api + "/accuracy");
    } catch {
      return; // offline: the connection banner says so already
    }
    byId("accuracy-text").textContent = accuracyText(t, report.first);
  }

  function refreshSoon() {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      refresh();
    }, ACCURACY_DELAY_MS);
  }

  return { refresh, refreshSoon };
}
