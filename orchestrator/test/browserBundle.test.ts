// The engine runs in the browser too (inside the wizard): it must bundle for the browser with no Node modules.
import { bundleForBrowser, NODE_REQUIRE } from '../../test/helpers/browserBundle';

const NODE_ONLY = /better-sqlite3|msal-node|node_modules\/jszip|^node:/;

test('the orchestrator bundles for the browser without Node built-ins, SQLite or msal-node', async () => {
  const { inputs, text } = await bundleForBrowser('orchestrator/src/index.ts');
  expect(inputs.filter((i) => NODE_ONLY.test(i))).toEqual([]);
  expect(text).toContain('WinOpportunity');
  expect(text).not.toMatch(NODE_REQUIRE);
});

test("the wizard's session (engine, pause gate, proposer, audit read-back) bundles for the browser too", async () => {
  const { inputs, text } = await bundleForBrowser('orchestrator/src/wizard/wizardSession.ts');
  expect(inputs.filter((i) => NODE_ONLY.test(i))).toEqual([]);
  expect(inputs.some((i) => i.endsWith('orchestrator/src/safety/rollbackFromDataverse.ts'))).toBe(true);
  expect(text).not.toMatch(NODE_REQUIRE);
});
