// Joining from home: the desk pauses it with a reason patients read on /join, and
// resumes it (POST /remote/pause, /remote/resume).
import { byId } from "../lib/dom.js";

export function listenToRemoteControls({ actions, t }) {
  const form = byId("remote-pause-form");
  const resume = byId("remote-resume");
  const show = (answer) => {
    if (!answer) return;
    const paused = answer.paused;
    byId("remote-state").textContent = paused ? t("remote_paused_because", { reason: paused }) : t("remote_open");
    form.hidden = Boolean(paused);
    resume.hidden = !paused;
    (paused ? resume : byId("remote-pause-reason")).focus();
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = byId("remote-pause-reason").value;
    show(await actions.act("/remote/pause", { reason }, () => t("remote_paused")));
  });
  resume.addEventListener("click", async () => {
    show(await actions.act("/remote/resume", {}, () => t("remote_resumed")));
  });
}
