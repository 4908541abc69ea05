// Leaving the console: for the login page when the login has ended, and by itself when
// nobody has used it for as long as the server keeps an idle login.

function thisPage() {
  return window.location.pathname + window.location.search;
}

export function goToLogin(loginUrl) {
  window.location.assign(`${loginUrl}?next=${encodeURIComponent(thisPage())}`);
}

// The server forgets an idle login after idleMinutes; the page leaves at the same
// moment, so no names stay on an unattended screen. Returns the function that says
// "someone is using it", which starts the count again.
export function startIdleLogout({ idleMinutes, loginUrl, logOut }) {
  let timer = null;
  const leave = () => {
    logOut().catch(() => {}).then(() => {
      window.location.assign(`${loginUrl}?expired=1&next=${encodeURIComponent(thisPage())}`);
    });
  };
  const restart = () => {
    clearTimeout(timer);
    timer = setTimeout(leave, idleMinutes * 60000);
  };
  restart();
  return restart;
}
