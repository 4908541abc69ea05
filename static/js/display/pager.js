// Lists that take turns on a screen that cannot scroll.
//
// The layout (CSS grid) gives each list a box of fixed size; what does not fit that box
// is split into pages here, by measuring, because CSS cannot say how many rows of
// wrapping text fit. Which page is shown is a function of the clock alone: each list
// shows all its pages once per cycle, whatever updates arrive in between.

const TICK_MS = 250;

/* The page of `pageCount` to show at `nowMs`: each page has an equal share of the cycle. */
export function pageAt(nowMs, cycleMs, pageCount) {
  if (pageCount <= 1) return 0;
  return Math.floor(nowMs / (cycleMs / pageCount)) % pageCount;
}

/* Splits `items` (elements inside `box`) into pages that each fit the box, as
 * [[first, end), ...]. An item too tall for the box alone is a page by itself. */
export function measurePages(box, items) {
  const pages = [];
  let start = 0;
  while (start < items.length) {
    let end = start + 1;
    while (end < items.length && fits(box, items, start, end + 1)) end += 1;
    pages.push([start, end]);
    start = end;
  }
  return pages;
}

function fits(box, items, start, end) {
  showOnly(items, [start, end]);
  return box.scrollHeight <= box.clientHeight + 1;
}

function showOnly(items, [start, end]) {
  items.forEach((item, i) => {
    item.hidden = i < start || i >= end;
  });
}

/* A list whose items all fit, or that shows its pages in turn; `label` says "2 of 3". */
export function makeRotation({ cycleSeconds, pageLabel, now = () => Date.now() }) {
  const cycleMs = cycleSeconds * 1000;
  const lists = new Map();

  /* `show(page)` shows one page; `label` (optional) is where "2 of 3" is written. */
  function set(name, pageCount, show, label) {
    const list = { pageCount, show, label, shown: null };
    lists.set(name, list);
    turn(list);
  }

  function turn(list) {
    const page = pageAt(now(), cycleMs, list.pageCount);
    if (page === list.shown) return;
    list.shown = page;
    list.show(page);
    if (list.label) {
      list.label.textContent = list.pageCount > 1 ? pageLabel(page + 1, list.pageCount) : "";
    }
  }

  setInterval(() => lists.forEach(turn), TICK_MS);
  return { set };
}

// The latest list of each box, measured again when the box changes size.
const listsByBox = new WeakMap();

/* Pages of a list measured in its box, shown in turn by `rotation`. The pages are
 * measured again whenever the box changes size: a box shrinks when a neighbour grows
 * (a second call, a delay, a "2 of 3" label), not only when its own list changes. */
export function pageList(rotation, name, box, items, label) {
  const pages = measurePages(box, items);
  rotation.set(name, pages.length, (page) => showOnly(items, pages[page] || [0, items.length]), label);
  const watched = listsByBox.has(box);
  listsByBox.set(box, { rotation, name, items, label, height: box.clientHeight });
  if (!watched && typeof ResizeObserver !== "undefined") {
    new ResizeObserver(() => remeasure(box)).observe(box);
  }
}

function remeasure(box) {
  const list = listsByBox.get(box);
  if (Math.abs(box.clientHeight - list.height) < 1) return; // its own pages turning
  pageList(list.rotation, list.name, box, list.items, list.label);
}

/* Items stacked in one place (CSS keeps the place as tall as the tallest), one at a
 * time; `onShow(item)` (optional) hears which one is shown. */
export function stackList(rotation, name, items, label, onShow = () => {}) {
  rotation.set(
    name,
    items.length,
    (page) => {
      items.forEach((item, i) => {
        const off = i !== page;
        item.classList.toggle("off", off);
        item.setAttribute("aria-hidden", String(off));
      });
      if (items[page]) onShow(items[page]);
    },
    label
  );
}
