// Attribution graph viewer: nodes by layer (rows) × position (columns), edges with width ∝ |weight|, a prune slider
// that filters edges and orphaned nodes client-side, pin/hide, and a details pane that opens feature pages.
import { el, svg, api, fmt } from './dom.js';

const COLORS = { feature: '#ea580c', error: '#9ca3af', embedding: '#16a34a', logit: '#7c3aed', other: '#0ea5e9' };

function kindOf(n) {
  const t = String(n.feature_type || '').toLowerCase();
  if (t.includes('embedding')) return 'embedding';
  if (t.includes('logit')) return 'logit';
  if (t.includes('error')) return 'error';
  if (t.includes('transcoder')) return 'feature';
  return 'other';
}

function featureOf(id) {
  const p = String(id).split('_');
  if (p.length !== 3) return null;
  const l = Number(p[0]), f = Number(p[1]);
  return Number.isInteger(l) && Number.isInteger(f) && l >= 0 && f >= 0 ? { layer: l, index: f } : null;
}

export async function renderGraph(id) {
  const g = await api(`/api/graphs/${id}`);
  const nodes = g.nodes.map(n => ({ ...n, kind: kindOf(n) }));
  const byId = new Map(nodes.map(n => [n.node_id, n]));
  const links = g.links.filter(l => byId.has(l.source) && byId.has(l.target));
  const maxW = Math.max(1e-12, ...links.map(l => Math.abs(l.weight)));
  const layerNums = nodes.filter(n => n.kind === 'feature' || n.kind === 'error').map(n => Number(n.layer)).filter(Number.isFinite);
  const maxLayer = layerNums.length ? Math.max(...layerNums) : 0;
  for (const n of nodes) n.row = n.kind === 'embedding' ? 0 : n.kind === 'logit' ? maxLayer + 2 : (Number(n.layer) || 0) + 1;
  const positions = Math.max(1, ...nodes.map(n => (Number(n.ctx_idx) || 0) + 1));
  const rows = maxLayer + 3, cellW = 110, rowH = 70, padL = 50, padT = 20, padB = 40;
  const cells = new Map();
  for (const n of nodes) { const k = `${n.row}:${n.ctx_idx}`; if (!cells.has(k)) cells.set(k, []); cells.get(k).push(n); }
  for (const list of cells.values()) list.forEach((n, i) => {
    const spread = Math.min(cellW - 20, 14 * (list.length - 1));
    n.x = padL + (Number(n.ctx_idx) || 0) * cellW + cellW / 2 + (list.length > 1 ? -spread / 2 + spread * i / (list.length - 1) : 0);
    n.y = padT + (rows - 1 - n.row) * rowH + rowH / 2;
  });
  const W = padL + positions * cellW + 10, H = padT + rows * rowH + padB;

  const state = { threshold: 0, pinned: new Set(), hidden: new Set(), selected: null };
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'graph-svg', id: 'graph-svg', role: 'img', 'aria-label': 'attribution graph' });
  const info = el('div', { id: 'graph-details' }, el('p', { class: 'muted' }, 'Click a node.'));
  const status = el('span', { class: 'muted', id: 'graph-status' });
  const slider = el('input', { type: 'range', min: 0, max: 100, value: 0, id: 'prune-threshold', 'aria-label': 'prune threshold' });
  slider.addEventListener('input', () => { state.threshold = Number(slider.value) / 100; draw(); });

  function draw() {
    const edges = links.filter(l => Math.abs(l.weight) >= state.threshold * maxW && !state.hidden.has(l.source) && !state.hidden.has(l.target));
    const touched = new Set(edges.flatMap(l => [l.source, l.target]));
    const visible = nodes.filter(n => !state.hidden.has(n.node_id) &&
      (state.pinned.has(n.node_id) || n.is_target_logit || state.threshold === 0 || touched.has(n.node_id)));
    const shown = new Set(visible.map(n => n.node_id));
    const kept = edges.filter(l => shown.has(l.source) && shown.has(l.target));
    const parts = [];
    for (let r = 0; r < rows; r++) {
      const label = r === 0 ? 'Emb' : r === rows - 1 ? 'Logit' : `L${r - 1}`;
      parts.push(svg('text', { x: 4, y: padT + (rows - 1 - r) * rowH + rowH / 2 + 3 }, label));
    }
    const toks = (g.metadata && g.metadata.prompt_tokens) || [];
    toks.forEach((t, i) => parts.push(svg('text', { x: padL + i * cellW + cellW / 2, y: H - 12, 'text-anchor': 'middle' }, String(t))));
    for (const l of kept) {
      const a = byId.get(l.source), b = byId.get(l.target);
      parts.push(svg('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: 'edge', stroke: l.weight >= 0 ? '#2563eb' : '#dc2626',
        'stroke-opacity': 0.55, 'stroke-width': (0.5 + 5 * Math.abs(l.weight) / maxW).toFixed(2), 'data-weight': l.weight },
        svg('title', {}, `${l.source} → ${l.target}: ${fmt(l.weight)}`)));
    }
    for (const n of visible) {
      const cls = ['node', n.kind];
      if (state.pinned.has(n.node_id)) cls.push('pinned');
      if (state.selected === n.node_id) cls.push('selected');
      const c = svg('circle', { cx: n.x, cy: n.y, r: n.kind === 'feature' ? 7 : 6, fill: COLORS[n.kind], class: cls.join(' '), 'data-node-id': n.node_id, tabindex: 0 },
        svg('title', {}, `${n.clerp || n.node_id}`));
      c.addEventListener('click', () => select(n));
      parts.push(c);
    }
    chart.replaceChildren(...parts);
    status.textContent = `${visible.length} of ${nodes.length} nodes, ${kept.length} of ${links.length} edges (|w| ≥ ${fmt(state.threshold * maxW)})`;
  }

  function select(n) {
    state.selected = n.node_id;
    const f = n.kind === 'feature' ? featureOf(n.node_id) : null;
    info.replaceChildren(
      el('h3', {}, n.clerp || n.node_id),
      el('table', {}, [['node', n.node_id], ['type', n.feature_type], ['layer', n.layer], ['position', n.ctx_idx],
        ['activation', fmt(n.activation)], ['influence', fmt(n.influence)]].map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v ?? '–')))),
      el('p', { class: 'controls' },
        f ? el('a', { href: `#/feature/${f.layer}/${f.index}`, id: 'open-feature' }, `Open L${f.layer}:F${f.index}`) : null,
        el('button', { type: 'button', id: 'pin-node', onclick: () => { state.pinned.has(n.node_id) ? state.pinned.delete(n.node_id) : state.pinned.add(n.node_id); select(n); } },
          state.pinned.has(n.node_id) ? 'Unpin' : 'Pin'),
        el('button', { type: 'button', id: 'hide-node', onclick: () => { state.hidden.add(n.node_id); state.selected = null; info.replaceChildren(el('p', { class: 'muted' }, 'Hidden.')); draw(); } }, 'Hide')));
    draw();
  }

  draw();
  const meta = g.metadata || {};
  return el('div', {},
    el('h1', {}, `Graph: ${meta.slug || id}`),
    meta.prompt ? el('p', {}, el('b', {}, 'prompt: '), meta.prompt) : null,
    el('div', { class: 'controls' }, el('label', {}, 'prune threshold ', slider), status,
      el('button', { type: 'button', id: 'show-hidden', onclick: () => { state.hidden.clear(); draw(); } }, 'Show hidden')),
    el('div', { class: 'graph-layout' }, el('div', { class: 'panel' }, chart), el('div', { class: 'panel' }, info)));
}
