/*
 * mrz.mjs - writes valid machine-readable zones for the browser tests and
 * the screenshots (ICAO 9303 check digits, weights 7-3-1), so that a test
 * can invent travellers without depending on the server's own writer.
 */
export function checkDigit(s) {
  const w = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const v = c === '<' ? 0 : /\d/.test(c) ? +c : c.charCodeAt(0) - 55;
    sum += v * w[i % 3];
  }
  return String(sum % 10);
}

/* A valid TD3 passport zone for the given fields (dates YYMMDD). */
export function td3({ state = 'UTO', surname, given, number, nationality = 'UTO', dob, sex, expiry }) {
  const name = (surname + '<<' + given.replace(/ /g, '<')).padEnd(39, '<').slice(0, 39);
  const line1 = ('P<' + state + name).padEnd(44, '<');
  const num = number.padEnd(9, '<');
  const personal = '<'.repeat(14);
  const part = num + checkDigit(num) + nationality + dob + checkDigit(dob) + sex + expiry + checkDigit(expiry) + personal + checkDigit(personal);
  const composite = checkDigit(num + checkDigit(num) + dob + checkDigit(dob) + expiry + checkDigit(expiry) + personal + checkDigit(personal));
  return line1 + '\n' + part + composite;
}

