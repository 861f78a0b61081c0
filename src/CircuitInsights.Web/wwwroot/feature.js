// Feature page: composes the panels of one feature.
import { el, api, fmt, panel, kv } from './dom.js';
import { weightLensPanel } from './weightlens-panel.js';
import { histogramPanel } from './histogram-panel.js';
import { contextsPanel } from './contexts-panel.js';
import { circuitPanel } from './circuit-panel.js';
import { effectsPanel } from './effects-panel.js';
import { descriptionsPanel } from './descriptions-panel.js';

export async function renderFeature(layer, index) {
  const p = await api(`/api/features/${layer}/${index}`);
  const s = p.stats || {};
  const best = (p.descriptions.find(d => d.method === 'wl+cl') || p.descriptions.find(d => d.method === 'circuitlens') ||
    p.descriptions.find(d => d.method === 'weightlens') || p.descriptions[0] || {}).text;
  const stats = panel('Activation statistics',
    kv([
      ['max activation', fmt(s.max_activation)], ['mean (active positions)', fmt(s.mean_active)], ['std (active positions)', fmt(s.std_active)],
      ['density (active positions)', s.density === null || s.density === undefined ? '–' : `${(100 * s.density).toFixed(4)} %`],
      ['active windows', `${fmt(s.window_count)} of ${fmt(s.windows_total)}`],
      ['contexts stored', Object.entries(p.context_counts).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'],
    ]));
  const graphs = p.graphs.length === 0 ? null : panel('In attribution graphs',
    el('ul', {}, p.graphs.map(g => el('li', {}, el('a', { href: `#/graph/${g.graph_id}` }, g.slug),
      ` at position ${g.position ?? '–'}, activation ${fmt(g.activation)}, influence ${fmt(g.influence)}`))));
  const page = el('div', { class: 'feature-page', 'data-layer': layer, 'data-index': index },
    el('h1', {}, `Feature L${layer}:F${index}`),
    el('p', { id: 'feature-description' }, best || el('span', { class: 'muted' }, 'no description')),
    el('div', { class: 'grid' },
      stats,
      histogramPanel(p.histogram),
      descriptionsPanel(p.descriptions, p.scores),
      weightLensPanel(p.weight_lens, p.downstream),
      circuitPanel(p),
      effectsPanel(p.promoted, p.suppressed, p.weight_lens),
      graphs,
      contextsPanel(layer, index, p.clusters, p.context_counts)));
  return page;
}
