#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-old-space-size=256 --max-semi-space-size=8
'use strict';
// The heap bound: left alone, V8 lets the heap grow towards a quarter of the machine's memory before it collects
// hard (4 GB here), so a run whose live data stays under 200 MB still showed 490-790 MB of RSS on the medium firm,
// most of it garbage. The engine keeps only pages and the batches in flight in memory; with the bound the same run
// peaks near 400 MB at the same speed (bench:fullrun prints it per step). A step that truly needed more would stop
// with "JavaScript heap out of memory" rather than grow unseen: every step resumes where it stopped.
// MALLOC_ARENA_MAX=2: glibc gives each thread that allocates (libuv's pool, V8's compiler and collector threads) an
// arena of its own, up to 8 per core, and freed memory stays in them: about 120-160 MB of a step's RSS lay outside
// the JS heap. With two arenas the medium extract peaked at 217 and 225 MB against 248 and 254 MB without (same state,
// clock x60, two runs each), at the same CPU. Ignored where the C library is not glibc.
// --max-semi-space-size=8: V8's young generation is three semi-spaces (Node's CLI docs, --max-semi-space-size), and
// with only the old space bounded Node 20 keeps its default 16 MB semi-space: 48 MB of the heap for objects that
// mostly die young (a batch's rows, answers and request bodies). The run's live data after a full collection stayed
// at 35-123 MB on the xl firm (192 full collections during its load) while V8 held 84-214 MB. First runs on fresh
// Dataverse emulators (clock x60, 4 sessions, 2 application users, one draw each): semi-space 16 / 8 / 4 MB peaked at
// 319 / 302 / 265 MB on medium and 362 / 329 / 319 MB on xl, in 371.6 / 387.8 / 430.7 s on xl (user CPU 241 / 253 /
// 291 s). 8 MB keeps most of the memory saved (33 of 43 MB on xl) for 16 of the 59 s; newer Node versions size the
// semi-space from the heap bound themselves (1 MB for a 512 MB bound). One draw each, and a draw moves by tens of MB:
// four more first runs of the medium state at 8 MB peaked at 230, 291, 303 and 273 MB.
// `env -S` splits the flags (GNU coreutils 8.30+, macOS); npm's Windows shims drop the `-S` (npm/cmd-shim#54, closed;
// not tried on Windows here).
// The installed command: runs the bundled CLI, building it first on a fresh checkout.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
if (!fs.existsSync(cli)) execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
// dist/cli.js runs main() only when it is the entry module (`node dist/cli.js`); here the entry is this file.
require(cli).main(process.argv);
