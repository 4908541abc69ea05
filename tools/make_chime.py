"""Write static/sounds/chime.wav: the two-note chime the display plays before a call.

Generated rather than downloaded, so the project holds no third-party media. Run it
again after changing a note: `python tools/make_chime.py`.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
# A falling major third (E5, C5): the "ding-dong" people know from public address systems.
NOTES = ((659.25, 0.0), (523.25, 0.42))
LENGTH = 1.3  # seconds
VOLUME = 0.45
OUT = Path(__file__).resolve().parent.parent / "static" / "sounds" / "chime.wav"


def bell(frequency: float, t: float) -> float:
    """A soft bell: the note, a quieter octave above, and an exponential fade."""
    if t < 0:
        return 0.0
    attack = min(1.0, t / 0.01)  # 10 ms, so the note starts without a click
    fade = math.exp(-3.2 * t)
    tone = math.sin(2 * math.pi * frequency * t) + 0.3 * math.sin(4 * math.pi * frequency * t)
    return attack * fade * tone / 1.3


def samples() -> bytes:
    frames = []
    for i in range(int(RATE * LENGTH)):
        t = i / RATE
        value = sum(bell(freq, t - start) for freq, start in NOTES) * VOLUME
        frames.append(struct.pack("<h", round(max(-1.0, min(1.0, value)) * 32767)))
    return b"".join(frames)


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUT), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples())


if __name__ == "__main__":
    main()
