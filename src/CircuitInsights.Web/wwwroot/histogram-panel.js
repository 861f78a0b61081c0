// Activation histogram of the window maxima, drawn as SVG.
import { el, svg, fmt, panel } from './dom.js';

export function histogramPanel(h) {
  if (!h || !h.counts || h.counts.length === 0) return panel('Activation histogram', el('p', { class: 'muted' }, 'no cache statistics'));
  const W = 420, H = 170, padL = 44, padB = 26, padT = 8;
  const max = Math.max(1, ...h.counts);
  const bw = (W - padL - 6) / h.counts.length;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'hist-svg', id: 'histogram', role: 'img', 'aria-label': 'activation histogram' });
  h.counts.forEach((c, i) => {
    const bh = (H - padB - padT) * Math.sqrt(c / max); // square-root scale keeps rare strong bins visible
    const lo = h.lo + (h.hi - h.lo) * i / h.counts.length, hi = h.lo + (h.hi - h.lo) * (i + 1) / h.counts.length;
    chart.appendChild(svg('rect', { x: padL + i * bw + 0.5, y: H - padB - bh, width: Math.max(1, bw - 1), height: bh, fill: '#ea580c', class: 'bar' },
      svg('title', {}, `${fmt(lo)} – ${fmt(hi)}: ${c} windows`)));
  });
  chart.appendChild(svg('line', { x1: padL, y1: H - padB, x2: W - 4, y2: H - padB, stroke: '#9ca3af' }));
  chart.appendChild(svg('text', { x: padL, y: H - 8 }, fmt(h.lo)));
  chart.appendChild(svg('text', { x: W - 4, y: H - 8, 'text-anchor': 'end' }, fmt(h.hi)));
  chart.appendChild(svg('text', { x: padL - 4, y: padT + 10, 'text-anchor': 'end' }, fmt(max)));
  chart.appendChild(svg('text', { x: padL - 4, y: H - padB, 'text-anchor': 'end' }, '0'));
  return panel('Activation histogram', chart,
    el('p', { class: 'muted' }, `Max activation per window over ${fmt(h.total)} active windows (√ scale${h.exact ? ', exact' : ', estimated below the top list'}).`));
}
