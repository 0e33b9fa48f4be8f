import { RequestPacer } from '../src/pipeline/requestPacer';

test('unpaced until a 429; then just under the refused rate, creeping up with successes', () => {
  let now = 0;
  const pacer = new RequestPacer({ now: () => now });
  for (let i = 0; i < 20; i++) {
    expect(pacer.reserve()).toBe(0); // 20 requests in 1 s, unpaced
    now += 50;
  }
  pacer.onThrottled();
  expect(pacer.ratePerSecond).toBeCloseTo(19 * 0.85); // 19 started in the last second (50..950 ms)
  const waits = [pacer.reserve(), pacer.reserve(), pacer.reserve()];
  expect(waits[1] - waits[0]).toBeCloseTo(1000 / (19 * 0.85));
  for (let i = 0; i < 20; i++) pacer.onSuccess();
  expect(pacer.ratePerSecond).toBeCloseTo(19 * 0.85 + 1);
  pacer.onThrottled();
  expect(pacer.ratePerSecond).toBeLessThan(19 * 0.85);
});

test('a fixed cap always applies; adaptive pacing can be switched off', () => {
  let now = 0;
  const capped = new RequestPacer({ now: () => now, maxRequestsPerSecond: 4 });
  expect([capped.reserve(), capped.reserve(), capped.reserve()]).toEqual([0, 250, 500]);
  const off = new RequestPacer({ now: () => now, adaptive: false });
  off.reserve();
  off.onThrottled();
  expect(off.ratePerSecond).toBeUndefined();
  now += 1;
});
