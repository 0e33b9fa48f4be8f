// The browser entry must bundle for the browser with no Node modules and no msal-node.
import { bundleForBrowser, NODE_REQUIRE } from '../../../test/helpers/browserBundle';

describe('browser entry', () => {
  it('bundles with esbuild for the browser without Node built-ins or msal-node', async () => {
    const { inputs, text } = await bundleForBrowser('connectors/dataverse/src/browser.ts');
    expect(inputs.filter((i) => /msal-node|nodeTransport|msalCredentials|^node:/.test(i))).toEqual([]);
    expect(text).toContain('UpsertMultiple');
    expect(text).not.toMatch(NODE_REQUIRE);
  });
});
