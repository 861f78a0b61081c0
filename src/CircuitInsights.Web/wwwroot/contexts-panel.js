// Contexts per cluster (CircuitLens) and top / sampled activations (cache), with token-level highlighting:
// background intensity ∝ the feature's activation at that token, the target token outlined, attributed source tokens underlined.
import { el, api, fmt } from './dom.js';

const BEFORE = 40, AFTER = 12;

export function contextsPanel(layer, index, clusters, counts) {
  const body = el('div', { id: 'contexts' });
  const sections = [];
  for (const c of clusters) {
    const s = c.summary || {};
    const title = c.label >= 0 ? `Cluster ${c.label}` : 'Unclustered contexts';
    sections.push({ title, detail: `${c.size} contexts, mean activation ${fmt(c.mean_activation)}${c.description ? ' — ' + c.description : ''}`,
      patterns: s.patterns || [], query: `source=circuitlens&cluster=${c.label}&limit=8`, label: c.label });
  }
  if (counts.top) sections.push({ title: 'Top activations', detail: 'highest window maxima in the cache', query: 'source=top&limit=10' });
  if (counts.sample) sections.push({ title: 'Sampled activations', detail: 'spread over the activation range', query: 'source=sample&limit=10' });
  if (sections.length === 0) body.appendChild(el('p', { class: 'muted' }, 'no stored contexts'));
  for (const sec of sections) {
    const list = el('div', { class: 'ctx-list' }, el('p', { class: 'muted' }, 'loading…'));
    body.appendChild(el('div', { class: 'cluster', 'data-cluster': sec.label ?? '' },
      el('h3', {}, sec.title), el('p', { class: 'muted' }, sec.detail), list));
    api(`/api/features/${layer}/${index}/contexts?${sec.query}`)
      .then(d => list.replaceChildren(...(d.contexts.length ? d.contexts.map(contextRow) : [el('p', { class: 'muted' }, 'none')])))
      .catch(e => list.replaceChildren(el('p', { class: 'error' }, String(e.message || e))));
  }
  return el('section', { class: 'panel wide' }, el('h2', {}, 'Contexts'),
    el('p', { class: 'muted' }, 'Background ∝ activation of this feature; outlined: target token; underlined: attributed source tokens (hover for details).'), body);
}

export function contextRow(c) {
  const acts = c.tokens.map(t => (t.activation && t.activation > 0 ? t.activation : 0));
  const max = Math.max(1e-9, ...acts);
  const sources = new Map();
  for (const s of c.sources) {
    if (!sources.has(s.position)) sources.set(s.position, []);
    sources.get(s.position).push(`${s.label} ${fmt(s.contribution)}`);
  }
  const from = Math.max(0, c.target_position - BEFORE), to = Math.min(c.tokens.length, c.target_position + AFTER + 1);
  const row = el('div', { class: 'ctx', 'data-context': c.id },
    el('span', { class: 'meta' }, `${fmt(c.target_activation)}`), from > 0 ? el('span', { class: 'muted' }, '… ') : null);
  for (let i = from; i < to; i++) {
    const t = c.tokens[i];
    const cls = ['tok'];
    if (i === c.target_position) cls.push('target');
    if (sources.has(i)) cls.push('src');
    const span = el('span', {
      class: cls.join(' '), 'data-act': acts[i].toFixed(4),
      title: `${JSON.stringify(t.text)} id ${t.id}: ${t.activation === null || t.activation === undefined ? 'n/a' : fmt(t.activation)}` +
        (sources.has(i) ? `\nsource of: ${sources.get(i).join(', ')}` : ''),
    }, t.text);
    if (acts[i] > 0) span.style.backgroundColor = `rgba(234, 88, 12, ${(0.1 + 0.75 * acts[i] / max).toFixed(3)})`;
    row.appendChild(span);
  }
  if (to < c.tokens.length) row.appendChild(el('span', { class: 'muted' }, ' …'));
  if (!c.has_activations) row.appendChild(el('span', { class: 'meta' }, ' (per-token activations not computed)'));
  return row;
}
