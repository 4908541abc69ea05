// A printed poster (server/templates/posters/poster.html): a "Print" button on the
// screen, never on the paper. Its words come from the page, in the page's language.
const main = document.getElementById("main");
const print = document.createElement("button");
print.type = "button";
print.className = "poster-print";
print.textContent = main.dataset.print || "Print";
print.addEventListener("click", () => globalThis.print());
main.before(print);
