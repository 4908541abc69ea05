// The kiosk's "Tell us about your visit" link opens the form in the language the
// patient chose on the start screen (kiosk/language.js sets the page's lang).
const link = document.getElementById("feedback-link");
if (link) {
  link.addEventListener("click", () => {
    const url = new URL(link.href);
    url.searchParams.set("lang", document.documentElement.lang);
    link.href = url.toString();
  });
}
