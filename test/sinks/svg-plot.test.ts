import assert from 'node:assert/strict';
import {
  addBars,
  addLegend,
  addMarker,
  addPolyline,
  addVerticalLine,
  createPlot,
  escapeXml,
  formatTick,
  histogram,
  linearScale,
  niceTicks,
  renderPlot,
} from '../../src/sinks/report/svg-plot.js';

describe('eval/svg-plot', () => {
  it('niceTicks picks 1/2/5 steps inside the domain', () => {
    assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0, 2400, 6), [0, 500, 1000, 1500, 2000]);
    assert.deepEqual(niceTicks(0.15, 0.62, 4), [0.2, 0.4, 0.6]); // raw step 0.1175 rounds up to 0.2
    assert.deepEqual(niceTicks(3, 3), [3]);
  });

  it('linearScale maps ends to ends, also reversed', () => {
    const s = linearScale(0, 10, 100, 200);
    assert.equal(s(0), 100);
    assert.equal(s(5), 150);
    const down = linearScale(0, 1, 300, 0);
    assert.equal(down(1), 0);
    assert.equal(linearScale(2, 2, 0, 10)(2), 5);
  });

  it('formats ticks and escapes text', () => {
    assert.equal(formatTick(0.30000000000000004), '0.3');
    assert.equal(formatTick(25000), '25k');
    assert.equal(escapeXml(`<a href="x">&'`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });

  it('histogram puts each value in one equal-width bin, clamping outliers into the ends', () => {
    const bars = histogram([0, 0.5, 1, 1.5, 2, 99], 2, 0, 2);
    assert.deepEqual(bars.map((b) => [b.x0, b.x1, b.value]), [[0, 1, 2], [1, 2, 4]]);
  });

  it('draws axes, a step polyline, bars, a marker and a legend into one <svg>', () => {
    const plot = createPlot({ width: 200, height: 100, margin: { top: 0, right: 0, bottom: 0, left: 0 }, x: { domain: [0, 1], label: 'recall' }, y: { domain: [0, 1] } });
    addPolyline(plot, [[0, 1], [0.5, 0.5]], { step: true });
    addBars(plot, [{ x0: 0, x1: 0.5, value: 0.5 }]);
    addMarker(plot, [0.5, 1], 'R<P>');
    addLegend(plot, [{ label: 'a', colour: '#000' }]);
    const svg = renderPlot(plot, 'test');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 200 100"/);
    // Step: (0,1) → (0.5,1) → (0.5,0.5) in pixels: (0,0) (100,0) (100,50).
    assert.match(svg, /<polyline points="0,0 100,0 100,50"/);
    assert.match(svg, /<rect x="0" y="50" width="99" height="50"/);
    assert.match(svg, /<circle cx="100" cy="0"/);
    assert.ok(svg.includes('R&lt;P&gt;'));
    assert.ok(svg.includes('>recall</text>'));
    assert.ok(svg.endsWith('</svg>'));
  });

  it('writes every attribute once per element (a standalone .svg with a repeated one is not XML: browsers show an error instead)', () => {
    const plot = createPlot({ width: 200, height: 100, x: { domain: [0, 1], label: 'epoch' }, y: { domain: [0, 1], label: 'recall' }, title: 't' });
    addMarker(plot, [0.5, 1], 'best', '#2ca02c');
    addVerticalLine(plot, 0.5, 'p95', '#888');
    addLegend(plot, [{ label: 'a', colour: '#000' }]);
    const svg = renderPlot(plot, 'test');
    const tags = svg.match(/<[a-z]+\s[^>]*>/g) ?? [];
    assert.ok(tags.length > 10);
    for (const tag of tags) {
      const names = [...tag.matchAll(/\s([a-z-]+)="/g)].map((m) => m[1]);
      assert.equal(new Set(names).size, names.length, `repeated attribute in ${tag}`);
    }
    assert.match(svg, /fill="#2ca02c">best<\/text>/);
  });
});
