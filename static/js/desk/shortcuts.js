// Single-letter shortcuts: a key presses the button that shows it (data-shortcut);
// never while typing or in a dialog.

function isTyping(target) {
  if (!target || !target.tagName) return false;
  return /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
}

function shortcutLetter(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return "";
  const key = event.key.length === 1 ? event.key.toLowerCase() : "";
  return /^[a-z]$/.test(key) ? key : "";
}

function pressShortcut(event) {
  const key = shortcutLetter(event);
  if (!key || isTyping(event.target) || document.querySelector("dialog[open]")) return;
  const target = document.querySelector(`[data-shortcut="${key}"]`);
  if (!target || target.disabled) return;
  event.preventDefault();
  target.click();
}

export function listenForShortcuts() {
  document.addEventListener("keydown", pressShortcut);
}
