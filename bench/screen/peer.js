// peer.js - the npm peer of the screening speed benchmark: fast-fuzzy
// (Searcher, default options, threshold 0.6) over the same entry names
// that bench/screen/speed.c indexed, queried with the same travellers.
// Input file (written by speed.c): N, N entry names, Q, Q traveller names.
// usage: node peer.js PEER_FILE
'use strict';
const fs = require('fs');
const { Searcher } = require('fast-fuzzy');

const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n');
const n = parseInt(lines[0], 10);
const entries = lines.slice(1, 1 + n);
const q = parseInt(lines[1 + n], 10);
const queries = lines.slice(2 + n, 2 + n + q);
// CPU time of this process (user + system), like the C side's thread CPU
// time: the shared machine's load does not count.
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const mem0 = process.memoryUsage().heapUsed;
let t0 = cpuMs();
const searcher = new Searcher(entries, { returnMatchData: false });
const buildMs = cpuMs() - t0;
const mem1 = process.memoryUsage().heapUsed;
const limit = Math.min(q, n >= 1000000 ? 50 : n >= 100000 ? 200 : 2000);
const times = [];
let hits = 0;
for (let i = 0; i < limit; i++) {
  t0 = cpuMs();
  const r = searcher.search(queries[i]);
  times.push(cpuMs() - t0);
  hits += r.length > 0 ? 1 : 0;
}
times.sort((a, b) => a - b);
const p = (f) => times[Math.min(times.length - 1, Math.floor(times.length * f))];
console.log(`  peer fast-fuzzy: build ${buildMs.toFixed(0)} ms, heap +${((mem1 - mem0) / 1e6).toFixed(1)} MB; ` +
  `${limit} travellers: p50 ${p(0.5).toFixed(3)} ms, p99 ${p(0.99).toFixed(3)} ms`);
