import { createHash } from 'node:crypto';
import { nameGuid } from '../src/stableGuid';

test('nameGuid is SHA-1 (as Node computes it) in the version-5 layout, for ASCII, Unicode and long names', () => {
  for (const name of ['', 'a', 'astep-solution:form:account', 'Ōtautahi ✓ 😀', 'x'.repeat(1000)]) {
    const h = createHash('sha1').update(name, 'utf8').digest();
    h[6] = (h[6] & 0x0f) | 0x50;
    h[8] = (h[8] & 0x3f) | 0x80;
    const x = h.subarray(0, 16).toString('hex');
    expect(nameGuid(name)).toBe(`${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`);
  }
  expect(nameGuid('a')).not.toBe(nameGuid('b'));
});
