// CircuitLens circuit: top heads, upstream features (from cluster contributors) and features this one feeds.
import { el, fmt, panel, featureLink } from './dom.js';

export function circuitPanel(p) {
  if (p.clusters.length === 0 && p.attributed_downstream.length === 0) return panel('Circuit (CircuitLens)', el('p', { class: 'muted' }, 'no CircuitLens results'));
  const heads = el('table', { id: 'top-heads' },
    el('tr', {}, ['head', 'source', 'frequency', 'mean contribution'].map(h => el('th', {}, h))),
    p.heads.slice(0, 10).map(h => el('tr', {}, el('td', {}, `L${h.layer}.H${h.head}`), el('td', {}, h.delta === 0 ? 'same token' : `Δ${h.delta}`),
      el('td', { class: 'num' }, fmt(h.frequency)), el('td', { class: 'num' }, fmt(h.mean_contribution)))));
  const ups = el('table', { id: 'upstream-features' },
    el('tr', {}, ['feature', 'frequency', 'mean contribution', 'description'].map(h => el('th', {}, h))),
    p.upstream.slice(0, 15).map(u => el('tr', {}, el('td', {}, featureLink(u.layer, u.index)), el('td', { class: 'num' }, fmt(u.frequency)),
      el('td', { class: 'num' }, fmt(u.mean_contribution)), el('td', { class: 'muted' }, u.description || ''))));
  const down = p.attributed_downstream.length === 0 ? null : el('div', {}, el('h3', {}, 'Feeds (attributed in their contexts)'),
    el('table', {}, p.attributed_downstream.map(d => el('tr', {}, el('td', {}, featureLink(d.layer, d.index)),
      el('td', { class: 'num' }, `${d.relative} contexts`), el('td', { class: 'num' }, fmt(d.contribution)), el('td', { class: 'muted' }, d.description || '')))));
  return panel('Circuit (CircuitLens)', el('h3', {}, 'Top heads'), heads, el('h3', {}, 'Upstream features'), ups, down);
}
