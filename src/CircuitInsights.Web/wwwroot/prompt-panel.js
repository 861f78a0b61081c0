// Prompt box: runs the model and transcoders on user text and lists the active features of every token.
import { el, api, fmt, featureLink } from './dom.js';

export async function renderPrompt() {
  const run = await api('/api/run');
  const out = el('div', { id: 'prompt-result' });
  const text = el('textarea', { id: 'prompt-text', placeholder: 'Type a prompt…' });
  const go = el('button', { id: 'prompt-run', type: 'button', onclick: async () => {
    out.replaceChildren(el('p', { class: 'muted' }, 'running…'));
    try {
      const d = await api('/api/prompt', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: text.value, top_k: 8 }) });
      out.replaceChildren(...d.tokens.map(t => el('div', { class: 'prompt-token' },
        el('div', { class: 't', title: `id ${t.id}` }, t.text),
        t.features.length === 0 ? el('div', { class: 'muted' }, 'no active features') :
          el('ol', {}, t.features.map(f => el('li', {}, featureLink(f.layer, f.index), ` ${fmt(f.activation)} `,
            f.description ? el('span', { class: 'muted' }, f.description) : null))))));
    } catch (e) { out.replaceChildren(el('p', { class: 'error' }, String(e.message || e))); }
  } }, 'Run');
  return el('div', {}, el('h1', {}, 'Prompt'),
    run.prompt_enabled ? el('section', { class: 'panel' }, text, el('p', {}, go), out)
      : el('p', { class: 'muted' }, 'The prompt box needs the model: start serve with --model and --transcoders.'));
}
