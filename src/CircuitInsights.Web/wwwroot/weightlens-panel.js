// WeightLens: input tokens, inherited (upstream) features, features inheriting from this one.
import { el, fmt, panel, featureLink } from './dom.js';

export function weightLensPanel(wl, downstream) {
  if (!wl) return panel('WeightLens', el('p', { class: 'muted' }, 'not imported for this feature'),
    downstream.length ? linkTable('Features that inherit from this one', downstream) : null);
  const yes = b => (b === null || b === undefined ? '–' : b ? 'yes' : 'no');
  return panel('WeightLens',
    el('p', {}, el('b', {}, 'description: '), wl.description || el('span', { class: 'muted' }, 'none'),
      el('span', { class: 'muted' }, ` (validated: ${yes(wl.validation)}, soft ${fmt(wl.validation_soft)})`)),
    wl.description_soft ? el('p', { class: 'muted' }, `soft: ${wl.description_soft}`) : null,
    el('h3', {}, 'Input tokens (embedding → encoder)'),
    el('div', { class: 'chips', id: 'wl-input-tokens' }, wl.input_tokens.map(t =>
      el('span', { class: 'chip pos', title: `relative contribution ${fmt(t.weight)}, activation on [BOS, token] ${fmt(t.activation)}` }, t.text))),
    wl.negative_tokens.length ? el('h3', {}, 'Negative input tokens') : null,
    wl.negative_tokens.length ? el('div', { class: 'chips' }, wl.negative_tokens.map(t => el('span', { class: 'chip neg' }, t.text))) : null,
    wl.upstream.length ? linkTable('Inherited from (upstream features)', wl.upstream) : null,
    downstream.length ? linkTable('Features that inherit from this one', downstream) : null,
    el('p', { class: 'muted' }, `detected share of input-invariant contribution: ${fmt(wl.detected_contribution)}`));
}

export function linkTable(title, links) {
  return el('div', {}, el('h3', {}, title),
    el('table', {}, links.map(l => el('tr', {},
      el('td', {}, featureLink(l.layer, l.index)),
      el('td', { class: 'num' }, fmt(l.relative)),
      el('td', { class: 'muted' }, l.description || '')))));
}
