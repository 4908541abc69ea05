// Leaving the console: for the login page when the login has ended, and by itself when
// nobody has used it for as long as the server keeps an idle login.

function thisPage() {
  return window.location.pathname + window.location.search;
}

// Set once the page is leaving because it was idle: the logout it sends ends the login
// on the server, which closes the socket and answers 401 to whatever else is under way,
// and those must not send the page to the login without saying why.
let leavingIdle = false;

export function goToLogin(loginUrl) {
  if (leavingIdle) return;
  window.location.assign(`${loginUrl}?next=${encodeURIComponent(thisPage())}`);
}

// The server forgets an idle login after idleMinutes; the page leaves at the same
// moment, so no names stay on an unattended screen. Returns the function that says
// "someone is using it", which starts the count again.
export function startIdleLogout({ idleMinutes, loginUrl, logOut }) {
  let timer = null;
  const leave = () => {
    leavingIdle = true;
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
