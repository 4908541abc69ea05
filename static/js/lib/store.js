// localStorage that tolerates a browser refusing it (private browsing, a locked-down
// kiosk profile): the page then simply forgets when it reloads.

export function readStored(key) {
  try {
    return globalThis.localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeStored(key, value) {
  try {
    globalThis.localStorage.setItem(key, value);
  } catch {
    // Refused: the choice lasts until the page reloads.
  }
}
