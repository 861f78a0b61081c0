// Run overview panel: run and transcoder settings, layers, imports, graphs.
import { el, api, fmt, panel, kv } from './dom.js';

export async function renderOverview() {
  const data = await api('/api/run');
  const o = data.overview;
  const r = o.run || {};
  const yes = b => (b === null || b === undefined ? '–' : b ? 'yes' : 'no');
  const run = panel('Run',
    kv([
      ['store', data.store], ['model', r.model || '–'], ['transcoders', `${r.transcoder_format || '–'} (${r.transcoder_source || '–'})`],
      ['hooks', `${r.input_hook || '–'} → ${r.output_hook || '–'}`], ['activation', r.activation || '–'],
      ['width', fmt(r.width)], ['layers', (r.layers || []).join(', ') || '–'],
      ['input centering / output bias / skip / cross-layer', `${yes(r.input_centering)} / ${yes(r.output_bias)} / ${yes(r.skip)} / ${yes(r.cross_layer)}`],
      ['tool version', r.tool_version || '–'], ['created', r.created_at || '–'], ['schema version', String(o.schema_version)],
      ['prompt box', data.prompt_enabled ? 'enabled' : 'off (serve --model … --transcoders …)'],
    ]));
  const layers = panel('Layers',
    el('table', {},
      el('tr', {}, ['layer', 'features', 'active', 'WeightLens', 'CircuitLens'].map(h => el('th', {}, h))),
      o.layers.map(l => el('tr', {}, el('td', {}, `L${l.layer}`), el('td', { class: 'num' }, fmt(l.features)), el('td', { class: 'num' }, fmt(l.active)),
        el('td', { class: 'num' }, fmt(l.with_weight_lens)), el('td', { class: 'num' }, fmt(l.with_circuit_lens))))),
    el('p', { class: 'muted' }, Object.entries(o.counts).map(([k, v]) => `${k}: ${fmt(v)}`).join(' · ')));
  const graphs = panel('Attribution graphs',
    o.graphs.length === 0 ? el('p', { class: 'muted' }, 'none imported') :
      el('ul', {}, o.graphs.map(g => el('li', {}, el('a', { href: `#/graph/${g.id}` }, g.slug), ` — ${g.prompt || ''} (${g.nodes} nodes, ${g.links} links)`))));
  const imports = panel('Imports',
    el('table', {}, o.imports.map(i => el('tr', {}, el('td', {}, i.kind), el('td', {}, i.source), el('td', { class: 'muted' }, i.imported_at)))));
  return el('div', {}, el('h1', {}, 'Run overview'), el('div', { class: 'grid' }, run, layers, graphs, imports));
}
