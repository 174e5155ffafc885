// peer.mjs INPUTS.json OUT.json SECONDS - the npm package `mrz` (cheminfo)
// on the benchmark inputs: its verdict per case (valid, document number,
// invalid fields or the exception) and its parse-and-validate throughput
// over the ICAO-valid zones per CPU second (Node runs JavaScript on one thread).
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'mrz';

const [inputsPath, outPath, secondsArg] = process.argv.slice(2);
const inputs = JSON.parse(readFileSync(inputsPath, 'utf8'));
const seconds = Number(secondsArg || 3);

const verdicts = inputs.map((c) => {
  try {
    const r = parse(c.lines);
    return {
      id: c.id,
      valid: r.valid,
      format: r.format,
      number: r.documentNumber ?? r.fields.documentNumber ?? null,
      invalid: r.details.filter((d) => !d.valid).map((d) => d.field),
    };
  } catch (e) {
    return { id: c.id, valid: false, error: String(e.message || e) };
  }
});

const zones = inputs.filter((c) => c.valid).map((c) => c.lines);
// CPU time of the process (user + system), like the C side, so other load on
// the machine does not distort the figure.  It includes V8's GC helper threads.
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
let runs = 0;
let sink = 0;
const start = cpu();
while (cpu() - start < seconds) {
  for (const z of zones) {
    if (parse(z).valid) sink++;
    runs++;
  }
}
const elapsed = cpu() - start;
writeFileSync(outPath, JSON.stringify({ verdicts, throughput: runs / elapsed, runs, sink }));
