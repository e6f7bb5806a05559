// The landing page: what the backend talks to, which flow each preset uses, and the host's records of
// the signed-in demo user.
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

interface HostRecord {
  sessionId: string;
  outcome: string;
  reasons: string[];
  via: string;
  attempt: number;
  corrects?: string;
  recordedAt: string;
  afterEndMs?: number;
}

/** One row per record; the user's own only (the server filters by the cookie). */
async function showRecords(): Promise<void> {
  const response = await fetch('/api/records', { cache: 'no-store' });
  if (!response.ok) return;
  const { user, records } = (await response.json()) as { user: string; records: HostRecord[] };
  for (const input of document.querySelectorAll<HTMLInputElement>('input[name="demo-user"]')) input.checked = input.value === user;
  const body = document.getElementById('record-rows')!;
  if (records.length === 0) {
    const row = document.createElement('tr');
    const empty = cell('td', `Nothing recorded for ${user} yet: start a flow on one of the pages above.`);
    empty.colSpan = 5;
    row.append(empty);
    body.replaceChildren(row);
    return;
  }
  body.replaceChildren(
    ...records.map((record) => {
      const row = document.createElement('tr');
      const outcome = [record.outcome, record.corrects ? `(corrects ${record.corrects})` : '', record.reasons.length ? `— ${record.reasons.join(', ')}` : '']
        .filter(Boolean)
        .join(' ');
      row.append(
        cell('th', record.sessionId.slice(0, 8)),
        cell('td', outcome),
        cell('td', record.attempt > 1 ? `${record.via} (attempt ${record.attempt})` : record.via),
        cell('td', record.afterEndMs === undefined ? '—' : `${(record.afterEndMs / 1000).toFixed(1)} s`),
        cell('td', new Date(record.recordedAt).toLocaleTimeString()),
      );
      return row;
    }),
  );
}

for (const input of document.querySelectorAll<HTMLInputElement>('input[name="demo-user"]')) {
  input.addEventListener('change', () => {
    // The demo's "sign in": the server reads this cookie as the session's reference.
    document.cookie = `demo-user=${input.value}; path=/; SameSite=Lax`;
    void showRecords();
  });
}
void showRecords();
setInterval(() => void showRecords(), 2000);
