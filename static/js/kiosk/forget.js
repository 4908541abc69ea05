// Emptying what the page shows about a patient, so the next one sees none of it.

export function forget(node) {
  if (node instanceof HTMLInputElement) {
    node.value = "";
  } else if (node instanceof HTMLImageElement) {
    node.removeAttribute("src");
    node.alt = "";
  } else {
    node.textContent = "";
  }
  delete node.dataset.link;
}

/* Every element marked data-patient, and the highlighted date-of-birth box. */
export function forgetShownPatient() {
  document.querySelectorAll("[data-patient]").forEach(forget);
  document.querySelectorAll(".entry.active").forEach((box) => box.classList.remove("active"));
}

