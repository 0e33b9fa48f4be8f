// `npm run generate:connector -w @astep/actionstep-connector` (or the root script): rewrites the committed custom
// connector files from resources.ts. A test fails when they are stale.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderConnectorFiles } from './connectorDefinition';

export function writeConnectorFiles(dir: string): string[] {
  const written: string[] = [];
  for (const [name, text] of Object.entries(renderConnectorFiles())) {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    written.push(file);
  }
  return written;
}

if (require.main === module) {
  // Run from a temp bundle (scripts/run-ts.mjs), so locate the package from the repo root, not __dirname.
  const dir = process.argv[2] ?? path.join(process.env.ASTEP_REPO_ROOT ?? process.cwd(), 'connectors', 'actionstep');
  for (const f of writeConnectorFiles(dir)) console.log(`wrote ${f}`);
}
