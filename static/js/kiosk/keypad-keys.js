// What each key of a keypad (or keyboard) does on the kiosk, and where "Back" goes.
// Pure, so tests can check it; kiosk/keypad.js acts on it.

// Arrow keys and Tab move, Enter chooses (as on any button). A keypad's extra keys:
// "*" says the last sentence again, Back (Escape or Backspace) goes back one screen,
// and "+" (not shown on screen; marked on the keypad) turns reading aloud on or off.
const COMMANDS = {
  ArrowDown: "next",
  ArrowRight: "next",
  ArrowUp: "previous",
  ArrowLeft: "previous",
  "*": "repeat",
  Escape: "back",
  Backspace: "back",
  "+": "read-aloud",
};

/* The command of a key, or null. In a right-to-left page the arrows left and right
   swap, so that "forward" is the way the patient reads. */
export function keypadCommand(key, direction = "ltr") {
  const command = COMMANDS[key] || null;
  if (direction !== "rtl" || !key.startsWith("Arrow")) return command;
  if (key === "ArrowRight") return "previous";
  if (key === "ArrowLeft") return "next";
  return command;
}

/* The control to move to: one step on from `index` among `count`, round the ends;
   from nowhere (-1, the screen's heading) to the first or the last. */
export function stepIndex(index, count, step) {
  if (count === 0) return -1;
  if (index < 0) return step > 0 ? 0 : count - 1;
  return (index + step + count) % count;
}

// The screen before each one. The ticket has none: the patient is checked in, and
// "Done" starts over.
const BEFORE = {
  code: "start",
  name: "code",
  dob: "name",
  "walk-in": "start",
  online: "start",
  "online-mobile": "online",
  find: "start",
  route: "find",
};

/* Where Back goes from `screen`: a screen, "start" (start over), "not-me" (the
   confirmation's own way back), or null (nowhere: the screen is read again).
   A problem goes back to where it happened if "Try again" can help. */
export function backFrom(screen, { retryScreen = "start", retryable = false } = {}) {
  if (screen === "confirm") return "not-me";
  if (screen === "problem") return retryable ? retryScreen : "start";
  return BEFORE[screen] || null;
}
