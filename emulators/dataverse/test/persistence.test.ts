import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionSchema, startApi, waitForKeys } from './helpers';

test('a file database keeps metadata, keys and records across restarts; deleting a key frees its values', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dvemu-'));
  const dbPath = join(dir, 'dataverse.sqlite');
  try {
    const a = await startApi({ dbPath, metadataKeyActivationDelayMs: 0 });
    await provisionSchema(a, undefined, ['account', 'astep_matter']);
    await waitForKeys(a, 'astep_matter');
    expect((await a.call('PATCH', "astep_matters(astep_sourceid='M-1')", { astep_name: 'Kept' })).status).toBe(204);
    await a.emu.close();

    const b = await startApi({ dbPath, metadataKeyActivationDelayMs: 0 });
    try {
      const r = await b.call('GET', "astep_matters(astep_sourceid='M-1')?$select=astep_name");
      expect(r.status).toBe(200);
      expect(r.json.astep_name).toBe('Kept');
      const dup = await b.call('POST', 'astep_matters', { astep_name: 'dup', astep_sourceid: 'M-1' });
      expect(dup.json.error.code).toBe('0x80060892');
      expect((await b.call('DELETE', "EntityDefinitions(LogicalName='astep_matter')/Keys(LogicalName='astep_matter_sourceid_key')")).status).toBe(204);
      expect((await b.call('POST', 'astep_matters', { astep_name: 'dup', astep_sourceid: 'M-1' })).status).toBe(204);
    } finally {
      await b.emu.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
