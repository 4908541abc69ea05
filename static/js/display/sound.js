// The display's sound: a chime, then the call and the way to its room spoken in each of
// the display's languages (the site's `display_languages`); several calls in turn.
//
// Browsers play sound only after someone interacted with the page, so a new display
// shows "Enable sound" once; the choice is remembered on this screen.
import { fill } from "../lib/texts.js";
import { byId } from "../lib/dom.js";
import { readStored, writeStored } from "../lib/store.js";

const MAX_QUEUED_ANNOUNCEMENTS = 4; // after an outage, say only the latest few calls
const CHIME_TIMEOUT_MS = 3000; // some browsers never fire "ended" without a speaker
const SPEECH_TIMEOUT_MS = 15000; // ... nor "end" for speech
const SOUND_KEY = "waitroom.display.sound";

/* {announce(call)}: queues a call to be said. `speech` is {language: "Ticket {number},
 * please go to {room}."}, said in the order of `languages` (the display's: its page's
 * language first; the JSON object's own order is alphabetical); `wayTo(call, language)`
 * says where: "Room 3, Level 1, take the elevator" where the site's map knows the way,
 * else the room's name. */
export function makeAnnouncer({ speech, languages = Object.keys(speech), soundBlocked, wayTo }) {
  const spoken = languages.filter((language) => language in speech);
  const setup = byId("sound-setup");
  const status = byId("sound-status");
  const chime = byId("chime");
  const queue = [];
  let announcing = false;

  const soundEnabled = () => readStored(SOUND_KEY) === "on";

  function showSoundSetup(message) {
    setup.hidden = false;
    status.textContent = message || "";
  }

  function enableSound() {
    writeStored(SOUND_KEY, "on");
    setup.hidden = true;
    // This click is the interaction browsers wait for: play once to unlock audio.
    chime.play().catch(() => {
      /* no speaker: speech may still work */
    });
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
  }

  function announce(call) {
    if (!soundEnabled()) return;
    if (queue.length >= MAX_QUEUED_ANNOUNCEMENTS) queue.shift();
    queue.push(call);
    if (!announcing) announceNext();
  }

  async function announceNext() {
    announcing = true;
    for (let call = queue.shift(); call; call = queue.shift()) {
      try {
        await playChime();
        for (const language of spoken) {
          await say(spokenCall(call, language), language);
        }
      } catch {
        // This call could not be said; the next ones still are.
      }
    }
    announcing = false;
  }

  function spokenCall(call, language) {
    return fill(speech[language], { number: call.spoken, room: wayTo(call, language) });
  }

  function playChime() {
    return new Promise((resolve) => {
      const listening = new AbortController();
      const done = () => {
        clearTimeout(timer);
        listening.abort();
        resolve();
      };
      const timer = setTimeout(done, CHIME_TIMEOUT_MS);
      chime.addEventListener("ended", done, { signal: listening.signal });
      chime.addEventListener("error", done, { signal: listening.signal });
      chime.currentTime = 0;
      chime.play().catch((error) => {
        if (error && error.name === "NotAllowedError") showSoundSetup(soundBlocked);
        done();
      });
    });
  }

  function say(text, language) {
    return new Promise((resolve) => {
      if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
        return resolve();
      }
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = language;
      utterance.rate = 0.9;
      const voice = voiceFor(language);
      if (voice) utterance.voice = voice;
      const finish = () => {
        clearTimeout(timer);
        utterance.onend = utterance.onerror = null;
        resolve();
      };
      const timer = setTimeout(finish, SPEECH_TIMEOUT_MS);
      utterance.onend = finish;
      utterance.onerror = finish;
      window.speechSynthesis.speak(utterance);
    });
  }

  function voiceFor(language) {
    const voices = window.speechSynthesis.getVoices ? window.speechSynthesis.getVoices() : [];
    return voices.find((v) => v.lang && v.lang.toLowerCase().startsWith(language));
  }

  byId("enable-sound").addEventListener("click", enableSound);
  if (soundEnabled()) setup.hidden = true;
  return { announce };
}
