import { ActionstepClient, FILE_PART_SIZE_IN_BYTES } from '../src/actionstepClient';
import { StaticTokenProvider } from '../src/auth/tokenProvider';
import { StubTransport } from './stubTransport';

const credential = new StaticTokenProvider({ accessToken: 't', apiEndpoint: 'http://as.test/api/', expiresOnTimestamp: Date.now() + 3_600_000 });
test('downloadFile fetches every 5 MB part with the id unencoded', async () => {
  const size = FILE_PART_SIZE_IN_BYTES * 2 + 10;
  const t = new StubTransport((req) => {
    const k = Number(new URL(req.url).searchParams.get('part_number'));
    const start = (k - 1) * FILE_PART_SIZE_IN_BYTES;
    const len = Math.max(0, Math.min(FILE_PART_SIZE_IN_BYTES, size - start));
    return { status: 200, headers: {}, body: Buffer.alloc(len, k) };
  });
  const client = new ActionstepClient({ credential, transport: t });
  const buf = await client.downloadFile('DL::Actions::15::127;report v2.pdf', { fileSize: size });
  expect(buf.length).toBe(size);
  expect(t.requests.map((r) => r.url)).toEqual([1, 2, 3].map((k) => `http://as.test/api/rest/files/DL::Actions::15::127;report%20v2.pdf?part_number=${k}`));
  // Size unknown: stops at the first short part.
  const t2 = new StubTransport(() => ({ status: 200, headers: {}, body: Buffer.from('hello') }));
  const c2 = new ActionstepClient({ credential, transport: t2 });
  expect((await c2.downloadFile('DL::Actions::1::2')).toString()).toBe('hello');
  expect(t2.requests).toHaveLength(1);
});

test('downloadFile without a size uses X-Part-Count, or stops at an out-of-range answer', async () => {
  const full = (k: number) => ({ status: 200, headers: { 'x-part-count': '2' }, body: Buffer.alloc(FILE_PART_SIZE_IN_BYTES, k) });
  const t = new StubTransport((req) => full(Number(new URL(req.url).searchParams.get('part_number'))));
  const client = new ActionstepClient({ credential, transport: t });
  expect((await client.downloadFile('DL::Actions::1::3')).length).toBe(2 * FILE_PART_SIZE_IN_BYTES);
  expect(t.requests).toHaveLength(2);
  // No header, size an exact multiple of 5 MB: the server's 400 for part 3 ends the download.
  const t2 = new StubTransport((req) => {
    const k = Number(new URL(req.url).searchParams.get('part_number'));
    if (k > 2) return { status: 400, headers: {}, body: Buffer.from('{"errors":{"title":"part_number out of range"}}') };
    return { status: 200, headers: {}, body: Buffer.alloc(FILE_PART_SIZE_IN_BYTES, k) };
  });
  const c2 = new ActionstepClient({ credential, transport: t2 });
  expect((await c2.downloadFile('DL::Actions::1::4')).length).toBe(2 * FILE_PART_SIZE_IN_BYTES);
  expect(t2.requests).toHaveLength(3);
});
