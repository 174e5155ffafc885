/*
 * mrz-input.js - tells when the text in the check input is a whole MRZ.
 *
 * A document scanner types the zone as keystrokes: each line followed by
 * Enter.  The check starts on the Enter that completes a zone (2 lines of
 * 44 or 36 characters, 3 lines of 30), or as soon as a whole zone is
 * pasted; a partial zone waits for more lines.  Ctrl+Enter sends whatever
 * is there (the server then says what is wrong with it).
 */

/* The lines of the text, upper-cased, spaces removed, empty lines dropped. */
export function mrzLines(text) {
  return String(text || '')
    .toUpperCase()
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/\s+/g, ''))
    .filter((line) => line.length > 0);
}

/*
 * True when the lines form a complete zone by their shape alone.  A zone
 * pasted as one run-together line (72, 88 or 90 characters) counts too,
 * but only when pasted: someone typing by hand passes through 72 on the
 * way to 88.
 */
export function isCompleteZone(lines, pasted) {
  if (lines.length === 2) return lines[0].length === lines[1].length && (lines[0].length === 44 || lines[0].length === 36);
  if (lines.length === 3) return lines.every((line) => line.length === 30);
  if (lines.length === 1 && pasted) return [72, 88, 90].includes(lines[0].length);
  return false;
}

/* The zone as the API takes it: lines joined by "\n". */
export function zoneText(text) {
  return mrzLines(text).join('\n');
}
