// Output effects: tokens promoted and suppressed (WeightLens output logits, CircuitLens direct logit effects).
import { el, fmt, panel } from './dom.js';

export function effectsPanel(promoted, suppressed, wl) {
  const chips = (list, cls) => list.length === 0 ? el('p', { class: 'muted' }, 'none') :
    el('div', { class: 'chips' }, list.map(e => el('span', { class: `chip ${cls}`, title: `${e.source}: ${fmt(e.effect)}` }, e.text)));
  return panel('Output effects',
    el('h3', {}, 'Promoted'), el('div', { id: 'effects-promoted' }, chips(promoted, 'pos')),
    el('h3', {}, 'Suppressed'), el('div', { id: 'effects-suppressed' }, chips(suppressed, 'neg')),
    el('p', { class: 'muted' }, 'WeightLens: decoder → unembedding outliers; CircuitLens: direct effects on the demeaned logits in the sampled contexts.'));
}
