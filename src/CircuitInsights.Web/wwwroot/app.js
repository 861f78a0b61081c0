// Hash router: #/ overview, #/search/<q>, #/feature/<layer>/<index>, #/graph/<id>, #/prompt
import { el, errorBox } from './dom.js';
import { renderOverview } from './overview.js';
import { renderSearch } from './search.js';
import { renderFeature } from './feature.js';
import { renderGraph } from './graph-panel.js';
import { renderPrompt } from './prompt-panel.js';

const main = () => document.getElementById('main');

async function route() {
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  const parts = hash.split('/');
  const target = main();
  target.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  try {
    let view;
    if (parts[0] === 'search') view = await renderSearch(parts.slice(1).join('/'));
    else if (parts[0] === 'feature' && parts.length === 3) view = await renderFeature(Number(parts[1]), Number(parts[2]));
    else if (parts[0] === 'graph' && parts.length === 2) view = await renderGraph(Number(parts[1]));
    else if (parts[0] === 'prompt') view = await renderPrompt();
    else view = await renderOverview();
    target.replaceChildren(view);
    target.setAttribute('data-view', parts[0] || 'overview');
  } catch (e) {
    target.replaceChildren(errorBox(e));
  }
}

document.getElementById('search-form').addEventListener('submit', ev => {
  ev.preventDefault();
  const q = document.getElementById('search-input').value.trim();
  if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
});
window.addEventListener('hashchange', route);
route();
