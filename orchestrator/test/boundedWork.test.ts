import { BoundedWork } from '../src/load/boundedWork';

const tick = () => new Promise((r) => setTimeout(r, 2));

describe('bounded work', () => {
  test('never more than its count at once, nor more than its weight (a heavier piece goes alone)', async () => {
    const work = new BoundedWork(3, 10);
    let running = 0;
    let weight = 0;
    const seen: Array<[number, number]> = [];
    const piece = (w: number) => async () => {
      running++;
      weight += w;
      seen.push([running, weight]);
      await tick();
      running--;
      weight -= w;
    };
    for (const w of [1, 1, 1, 1, 6, 6, 25, 1, 1]) await work.start(piece(w), w);
    await work.finish();
    expect(seen).toHaveLength(9);
    expect(Math.max(...seen.map(([n]) => n))).toBe(3);
    expect(seen.filter(([n, w]) => n > 1 && w > 10)).toEqual([]); // over the weight only alone
    expect(seen).toContainEqual([1, 25]);
  });

  test('the first failure stops new work and is thrown once the work in flight has ended', async () => {
    const work = new BoundedWork(2);
    const ended: number[] = [];
    const started: number[] = [];
    for (let i = 0; i < 10 && !work.failed; i++) {
      await work.start(async () => {
        started.push(i);
        await tick();
        if (i === 2) throw new Error('page 2 failed');
        await tick();
        ended.push(i);
      });
    }
    await expect(work.finish()).rejects.toThrow('page 2 failed');
    expect(started.length).toBeLessThan(10);
    // Everything started besides the failed piece had ended by the time finish() threw.
    expect(ended.sort()).toEqual(started.filter((i) => i !== 2).sort());
  });
});
