// `npm run generate:early-bound`: writes solution/src/generated/earlyBound.ts from the schema (see generateEarlyBound.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PLATFORM_TABLES } from '../platformTables';
import { SCHEMA } from '../schema';
import { generateEarlyBound } from './generateEarlyBound';

export const EARLY_BOUND_PATH = 'solution/src/generated/earlyBound.ts';

const root = process.env.ASTEP_REPO_ROOT ?? process.cwd();
const file = path.join(root, EARLY_BOUND_PATH);
const text = generateEarlyBound(SCHEMA, PLATFORM_TABLES);
let current = '';
try {
  current = readFileSync(file, 'utf8');
} catch {
  current = '';
}
if (current !== text) writeFileSync(file, text);
console.log(`early-bound types: ${EARLY_BOUND_PATH} ${current === text ? 'is current' : 'written'}`);
