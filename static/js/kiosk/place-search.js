// Searching the places of "Find your way" as the patient types. Pure: no DOM, so Node's
// test runner runs it.

/* Lower case, without accents: "Á" and "a" match, so do "ñ" and "n". */
export function plain(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

/* The words typed, plain, for matches(). */
export function searchWords(typed) {
  return plain(typed).split(/\s+/).filter(Boolean);
}

/* Whether a place's plain text holds every word typed (no words: every place). */
export function matches(text, words) {
  return words.every((word) => text.includes(word));
}

/* Runs of places of one kind, in the order the API lists them: [{kind, places}]. */
export function groupByKind(places) {
  const groups = [];
  for (const place of places) {
    let group = groups[groups.length - 1];
    if (!group || group.kind !== place.kind_name) {
      group = { kind: place.kind_name, places: [] };
      groups.push(group);
    }
    group.places.push(place);
  }
  return groups;
}
