// Search results panel.
import { el, api, fmt, featureLink } from './dom.js';

export async function renderSearch(q) {
  const input = document.getElementById('search-input');
  if (input && input.value !== q) input.value = q;
  const data = await api(`/api/search?q=${encodeURIComponent(q)}&limit=100`);
  const list = el('ul', { class: 'hits', id: 'search-results' },
    data.hits.map(h => el('li', { class: 'hit' },
      featureLink(h.layer, h.index), ' ',
      el('span', { class: 'chip' }, h.match), ' ',
      el('span', {}, h.detail), ' ',
      h.description ? el('span', { class: 'muted' }, `— ${h.description}`) : null,
      h.max_activation !== null && h.max_activation !== undefined ? el('span', { class: 'muted' }, ` (max ${fmt(h.max_activation)})`) : null)));
  return el('div', {}, el('h1', {}, `Search: ${q}`),
    data.hits.length === 0 ? el('p', { class: 'muted' }, 'No features match.') : list);
}
