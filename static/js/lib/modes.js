// The reading modes (large text, high contrast): attributes on <html> that the CSS
// reads, and the pressed state of the buttons that switch them (data-mode="...").

const MODE_VALUES = { text: "large", contrast: "high" };

export const READING_MODES = Object.keys(MODE_VALUES);

export function setReadingMode(mode, on) {
  const root = document.documentElement;
  if (on) root.dataset[mode] = MODE_VALUES[mode];
  else delete root.dataset[mode];
  document.querySelectorAll('[data-mode="' + mode + '"]').forEach((button) => {
    button.setAttribute("aria-pressed", String(on));
  });
}
