/* "Notify me on this phone": Web Push on the phone page.
 *
 * Offered only where it can work: a secure context (HTTPS, or localhost) whose browser
 * has service workers and PushManager. On an iPhone that has none (Safari before the
 * page is added to the Home Screen) the section says how to add it. The service worker
 * is registered on load, which asks nothing; the browser's permission is asked only
 * after a tap on the button. The subscription goes to the server with the ticket's
 * token; "Turn off" deletes it there and in the browser.
 */
import { postJson } from "../lib/http.js";
import { byId } from "../lib/dom.js";

const OPEN = ["waiting", "called", "no_show"];

export function pushSupported() {
  return window.isSecureContext && "serviceWorker" in navigator && "PushManager" in window
    && "Notification" in window;
}

function onIPhoneBrowser() {
  return /iPhone|iPad|iPod/.test(navigator.userAgent) && !navigator.standalone;
}

/* The VAPID public key (base64url) as the bytes PushManager.subscribe takes. */
export function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

/* Wire the section; returns render(ticket), called with each whole ticket. */
export function setUpPush({ urls, key, t }) {
  const section = byId("push");
  if (!section) return () => {};
  const on = byId("push-on");
  const off = byId("push-off");
  const problem = byId("push-problem");
  const state = byId("push-state");
  const supported = pushSupported();
  let registration = null;
  let ticket = null;
  let busy = false;

  if (supported) {
    navigator.serviceWorker.register(urls.worker, { scope: scopeOf(urls.worker) })
      .then((found) => { registration = found; })
      .catch(() => {}); // the button then says it could not be done
  } else {
    byId("push-ios").hidden = !onIPhoneBrowser();
  }

  function render(next) {
    ticket = next || ticket;
    if (!ticket) return;
    section.hidden = !OPEN.includes(ticket.status) || (!supported && !onIPhoneBrowser());
    on.hidden = !supported || Boolean(ticket.push);
    off.hidden = !supported || !ticket.push;
    section.dataset.push = ticket.push ? "on" : "off";
    // Opened again with alerts on (from here or another phone): say so by the button.
    if (supported && ticket.push && !state.textContent) state.textContent = t("push_on");
  }

  async function turnOn() {
    problem.textContent = "";
    if (Notification.permission === "denied") {
      problem.textContent = t("push_denied");
      return;
    }
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      problem.textContent = t("push_denied");
      return;
    }
    const ready = registration || (await navigator.serviceWorker.ready);
    const subscription = await ready.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(key),
    });
    const answer = await postJson(urls.push, subscription.toJSON());
    ticket = { ...ticket, push: answer.push };
    state.textContent = t("push_on");
    render();
  }

  async function turnOff() {
    problem.textContent = "";
    const answer = await postJson(urls.push_off, {});
    const ready = registration || (await navigator.serviceWorker.ready);
    const subscription = await ready.pushManager.getSubscription();
    if (subscription) await subscription.unsubscribe().catch(() => {});
    ticket = { ...ticket, push: answer.push };
    state.textContent = t("push_off");
    render();
  }

  async function whileBusy(action) {
    if (busy) return;
    busy = true;
    try {
      await action();
    } catch {
      problem.textContent = t("push_failed");
    } finally {
      busy = false;
    }
  }

  on.addEventListener("click", () => whileBusy(turnOn));
  off.addEventListener("click", () => whileBusy(turnOff));
  return render;
}

function scopeOf(workerUrl) {
  return workerUrl.slice(0, workerUrl.lastIndexOf("/") + 1);
}
