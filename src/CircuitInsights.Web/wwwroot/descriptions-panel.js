// Descriptions by method and evaluation scores.
import { el, fmt, panel } from './dom.js';

export function descriptionsPanel(descriptions, scores) {
  return panel('Descriptions and scores',
    descriptions.length === 0 ? el('p', { class: 'muted' }, 'no descriptions') :
      el('table', { id: 'descriptions' }, descriptions.map(d => el('tr', {}, el('th', {}, d.method), el('td', {}, d.text),
        el('td', { class: 'muted' }, d.source)))),
    el('h3', {}, 'Evaluation scores'),
    scores.length === 0 ? el('p', { class: 'muted' }, 'none') :
      el('table', { id: 'scores' }, scores.map(s => el('tr', {}, el('th', {}, s.method), el('td', {}, s.metric), el('td', { class: 'num' }, fmt(s.value))))));
}
