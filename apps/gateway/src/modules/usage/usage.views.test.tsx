import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { UsageSection } from './usage.views.tsx';
import { BYTES_PER_TB } from './usage-readings.ts';

const usage = {
  from: '2025-11-28',
  to: '2026-11-27',
  points: [
    { day: '2026-02-01', usedBytes: 2 * BYTES_PER_TB },
    { day: '2026-08-01', usedBytes: 5 * BYTES_PER_TB },
    { day: '2026-11-27', usedBytes: 9.1 * BYTES_PER_TB },
  ],
  projects: new Map(),
  warningPercent: 90,
};

describe('the usage chart', () => {
  const html = renderToString(<UsageSection usage={usage} sizeTb={10} />);
  const charts = [...html.matchAll(/<svg class="usage-chart__(\w+)" viewBox="0 0 (\d+) \d+"[^>]*>([\s\S]*?)<\/svg>/g)];

  it('has a narrow drawing whose labels stay at 12 px or more in a 288 px box (320 px screen)', () => {
    const narrow = charts.find(([, kind]) => kind === 'narrow');
    expect(narrow, 'a narrow drawing').toBeDefined();
    const [, , width = '0', svg = ''] = narrow ?? [];
    const sizes = [...svg.matchAll(/font-size="(\d+(?:\.\d+)?)"/g)].map(([, size]) => Number(size));
    expect(sizes.length).toBeGreaterThan(0);
    for (const size of sizes) expect((size * 288) / Number(width)).toBeGreaterThanOrEqual(12);
  });

  it('gives each drawing ids of its own, so the page has no duplicate ids', () => {
    expect(charts.map(([, kind]) => kind)).toEqual(['wide', 'narrow']);
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map(([, id]) => id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [whole] of charts) {
      const labelledBy = /aria-labelledby="([^"]+)"/.exec(whole)?.[1]?.split(' ') ?? [];
      expect(labelledBy.length).toBe(2);
      for (const id of labelledBy) expect(whole).toContain(` id="${id}"`);
    }
  });

  it('draws the size line in a colour with 3:1 contrast on white, not the light grid grey', () => {
    expect(charts.length).toBe(2);
    for (const [, , , svg = ''] of charts) {
      const size = /<line class="usage-size"[^>]*>/.exec(svg)?.[0] ?? '';
      expect(size).toContain('stroke="#505a5f"');
    }
  });
});
