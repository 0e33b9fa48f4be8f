#!/usr/bin/env node
'use strict';
// The installed command: runs the bundled CLI, building it first on a fresh checkout.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
if (!fs.existsSync(cli)) execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
// dist/cli.js runs main() only when it is the entry module (`node dist/cli.js`); here the entry is this file.
require(cli).main(process.argv);
