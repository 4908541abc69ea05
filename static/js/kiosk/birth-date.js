// A date of birth as typed in three boxes. Pure: no DOM, so Node's test runner runs it.

/* {value: "YYYY-MM-DD"} for a real date not after `today`, else {error: a text's key}. */
export function birthDate(day, month, year, today = new Date()) {
  if (!day || !month || year.length !== 4) return { error: "dob_incomplete" };
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  // Date.UTC rolls 31 February over into March; a real date comes back as it went in.
  const real =
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day) &&
    date <= today;
  if (!real) return { error: "dob_invalid" };
  return { value: year + "-" + month.padStart(2, "0") + "-" + day.padStart(2, "0") };
}
