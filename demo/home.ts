// The landing page: what the backend talks to, and which flow each preset uses.
import { loadConfig, showBackend, showFailure } from './demo-page.js';

function cell(tag: 'th' | 'td', text: string): HTMLTableCellElement {
  const node = document.createElement(tag);
  node.textContent = text;
  if (tag === 'th') node.scope = 'row';
  return node;
}

loadConfig()
  .then((config) => {
    showBackend(config);
    const body = document.getElementById('preset-rows')!;
    body.replaceChildren(
      ...config.presets.map((preset) => {
        const row = document.createElement('tr');
        row.append(
          cell('th', preset.label),
          cell('td', preset.flow.name),
          cell('td', preset.flow.technologies.join(' → ') || 'as configured for the key'),
          cell('td', preset.sends.join('; ')),
        );
        return row;
      }),
    );
  })
  .catch(showFailure);
