/**
 * The demo pages' own controls around one `<biometric-flow id="flow">`: preset, mode and locale
 * switches, the event log and a status button. It does not load the element: each page does that its
 * own way (a script tag of the CDN build, or an import of the package source) — here only its types.
 *
 * @module
 */
import type { BiometricFlowElement, FlowMode } from '../src/index.js';
import type { DemoConfig } from './server.js';

type PublicPreset = DemoConfig['presets'][number];

const MODES: { value: FlowMode; label: string; hint: string }[] = [
  { value: 'inline', label: 'Inline', hint: 'in the page' },
  { value: 'modal', label: 'Modal', hint: 'in a dialog' },
  { value: 'popup', label: 'Popup', hint: 'in a new window' },
];
const HANDOFFS = [
  { value: 'auto', label: 'Phone when needed', hint: 'no camera here, or an in-app browser' },
  { value: 'offer', label: 'Offer “Continue on my phone”', hint: 'beside the start button' },
  { value: 'off', label: 'This device only' },
] as const;
type Handoff = (typeof HANDOFFS)[number]['value'];
const LOCALES = [
  { value: 'ru', label: 'Русский' },
  { value: 'kk', label: 'Қазақша' },
  { value: 'en', label: 'English' },
] as const;
const EVENTS = [
  'state-change',
  'session-created',
  'flow-loaded',
  'flow-message',
  'finished',
  'cancelled',
  'flow-error',
] as const;
const LOG_LIMIT = 200;

interface Settings {
  preset: string;
  /** A failure preset (`fails-<name>`) that replaces `preset`, or `''`. */
  fails: string;
  mode: FlowMode;
  locale: string;
  /** Whether the element confirms the ending with the status endpoint (else every ending is `unconfirmed`). */
  confirm: boolean;
  /** Whether the element keeps its session over a reload of the page (`resume`). */
  resume: boolean;
  /** The `handoff` attribute; the handoff endpoint is set while `confirm` is on (a handoff waits by status). */
  handoff: Handoff;
}

const STATUS_ENDPOINT = '/api/status';
const HANDOFF_ENDPOINT = '/api/handoff';

/** `document.getElementById`, typed, throwing when the page lacks the element. */
function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`demo: #${id} is missing`);
  return found as T;
}

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children);
  return node;
}

/** JSON of an event detail; errors (a `cause`) become their name and message. */
function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => (item instanceof Error ? { name: item.name, message: item.message } : item),
    2,
  );
}

function timeOf(date: Date): string {
  return `${date.toLocaleTimeString('en-GB', { hour12: false })}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function readSettings(presets: PublicPreset[], failurePresets: PublicPreset[]): Settings {
  const query = new URLSearchParams(location.search);
  const preset = presets.find((p) => p.id === query.get('preset'))?.id ?? presets[0]!.id;
  const fails = failurePresets.find((p) => p.id === query.get('fails'))?.id ?? '';
  const mode = MODES.find((m) => m.value === query.get('mode'))?.value ?? 'inline';
  const locale = LOCALES.find((l) => l.value === query.get('locale'))?.value ?? 'en';
  const handoff = HANDOFFS.find((option) => option.value === query.get('handoff'))?.value ?? 'auto';
  return { preset, fails, mode, locale, confirm: query.get('confirm') !== 'off', resume: query.get('resume') === 'on', handoff };
}

/** Keeps the settings in the address, so that a reload or a shared link shows the same demo. */
function writeSettings(settings: Settings): void {
  const url = new URL(location.href);
  url.searchParams.set('preset', settings.preset);
  if (settings.fails) url.searchParams.set('fails', settings.fails);
  else url.searchParams.delete('fails');
  url.searchParams.set('mode', settings.mode);
  url.searchParams.set('locale', settings.locale);
  if (settings.confirm) url.searchParams.delete('confirm');
  else url.searchParams.set('confirm', 'off');
  if (settings.resume) url.searchParams.set('resume', 'on');
  else url.searchParams.delete('resume');
  if (settings.handoff === 'auto') url.searchParams.delete('handoff');
  else url.searchParams.set('handoff', settings.handoff);
  history.replaceState(null, '', url);
}

function radioGroup(name: string, legend: string, options: { value: string; label: string; hint?: string }[], checked: string) {
  return h('fieldset', { class: 'choices' }, [
    h('legend', {}, [legend]),
    ...options.map((option) =>
      h('label', { class: 'choice' }, [
        h('input', { type: 'radio', name, value: option.value, checked: option.value === checked }),
        h('span', {}, [option.label]),
        ...(option.hint ? [h('span', { class: 'hint' }, [` (${option.hint})`])] : []),
      ]),
    ),
  ]);
}

function flowText(preset: PublicPreset): string {
  return preset.flow.technologies.length > 0 ? `${preset.flow.name}: ${preset.flow.technologies.join(' → ')}` : preset.flow.name;
}

function presetDetails(preset: PublicPreset): Node[] {
  const sends = h('ul', {}, preset.sends.map((line) => h('li', {}, [line])));
  const nodes: Node[] = [
    h('p', { id: 'preset-description' }, [preset.description]),
    h('dl', {}, [
      h('dt', {}, ['Flow']),
      h('dd', { id: 'preset-flow' }, [flowText(preset)]),
      h('dt', {}, ['The server sends']),
      h('dd', {}, [sends]),
    ]),
  ];
  if (preset.id === 'photo1') {
    nodes.push(h('img', { src: '/assets/photo1.png', alt: 'The reference photo the server sends as photo1', width: '64', height: '80' }));
  }
  return nodes;
}

/** Fetches the demo's configuration: presets, flows, and where the flow lives. */
export async function loadConfig(): Promise<DemoConfig> {
  const response = await fetch('/api/config');
  if (!response.ok) throw new Error(`/api/config answered HTTP ${response.status}`);
  return (await response.json()) as DemoConfig;
}

/** Shows a failure of the page itself (not of the flow) where the backend note goes. */
export function showFailure(error: unknown): void {
  const note = document.getElementById('backend-note');
  if (!note) return;
  note.setAttribute('role', 'alert');
  note.classList.add('error');
  note.textContent = `The demo could not start: ${error instanceof Error ? error.message : String(error)}`;
}

/** Fills `#backend-note` with what the backend talks to. */
export function showBackend(config: DemoConfig): void {
  const note = document.getElementById('backend-note');
  if (!note) return;
  note.textContent =
    config.backend === 'emulator'
      ? `Backend: the local emulator at ${config.flowBaseUrl ?? ''} (no real checks).`
      : 'Backend: the real Biometric.Vision service (BIOMETRIC_API_KEY).';
  // What holds only for one backend is marked in the page: data-backend="emulator" or "vendor".
  for (const node of document.querySelectorAll<HTMLElement>('[data-backend]')) node.hidden = node.dataset.backend !== config.backend;
}

/** The demo's code snippets show the chosen preset, mode and locale: `data-snippet="preset|mode|locale"` spans. */
function showInSnippets(settings: Settings): void {
  for (const node of document.querySelectorAll<HTMLElement>('[data-snippet]')) {
    const name = node.dataset.snippet as 'preset' | 'mode' | 'locale';
    node.textContent = name === 'preset' ? settings.fails || settings.preset : settings[name];
  }
}

function renderSettings(form: HTMLFormElement, config: DemoConfig, settings: Settings): void {
  // Radio buttons rather than a select: the labels are long, and a select cuts them off on a phone.
  const presets = radioGroup(
    'preset',
    'Preset',
    config.presets.map((preset) => ({ value: preset.id, label: preset.label })),
    settings.preset,
  );
  presets.id = 'preset-choices';
  presets.setAttribute('aria-describedby', 'preset-description preset-flow');
  // One select for the emulator's failure reasons (16 of them): compact, and its short labels fit a phone.
  const failures =
    config.failurePresets.length === 0
      ? []
      : [
          h('div', { class: 'field' }, [
            h('label', { for: 'fails-select' }, ['Fail on purpose']),
            h('select', { id: 'fails-select', name: 'fails', 'aria-describedby': 'fails-hint' }, [
              h('option', { value: '', selected: settings.fails === '' }, ['No: the preset above']),
              ...config.failurePresets.map((preset) =>
                h('option', { value: preset.id, selected: preset.id === settings.fails }, [preset.label.replace(/^Fails: | \(emulator\)$/g, '')]),
              ),
            ]),
            h('p', { class: 'hint', id: 'fails-hint' }, [
              'The emulator fails the session with this failure reason, whatever you do in the flow: the element then says what to do about it.',
            ]),
          ]),
        ];
  form.replaceChildren(
    presets,
    ...failures,
    h('div', { id: 'preset-details', class: 'preset-details' }),
    radioGroup('mode', 'Mode', MODES, settings.mode),
    radioGroup('locale', 'Locale', [...LOCALES], settings.locale),
    radioGroup('handoff', 'Continue on a phone', [...HANDOFFS], settings.handoff),
    h('p', { class: 'hint', id: 'handoff-hint' }, [
      'A QR code, a short code and a link to finish on a phone, where this device has no camera (or always, with the offer). Needs “Confirm the result”: the element learns of the end by status.',
    ]),
    // Before the confirm setting, which stays the last control before the element (keyboard order).
    h('div', { class: 'field' }, [
      h('label', { class: 'choice' }, [
        h('input', { type: 'checkbox', id: 'resume-check', name: 'resume', checked: settings.resume, 'aria-describedby': 'resume-hint' }),
        h('span', {}, ['Resume after a reload']),
      ]),
      h('p', { class: 'hint', id: 'resume-hint' }, [
        'On: the element keeps its session in sessionStorage; reload the page in the middle of a flow and the same session comes back where it was, with no new session and no new SMS.',
      ]),
    ]),
    h('div', { class: 'field' }, [
      h('label', { class: 'choice' }, [
        h('input', { type: 'checkbox', id: 'confirm-check', name: 'confirm', checked: settings.confirm, 'aria-describedby': 'confirm-hint' }),
        h('span', {}, ['Confirm the result with the status endpoint']),
      ]),
      h('p', { class: 'hint', id: 'confirm-hint' }, [
        `On: the element asks the server and says passed or failed (${
          config.backend === 'emulator' ? 'the emulator’s result lags 3 s, as the vendor’s does' : 'the vendor’s result can lag a few seconds'
        }). Off: no status-endpoint, so the element cannot know and says the result is being checked.`,
      ]),
    ]),
    h('p', { class: 'hint' }, ['Changes apply to the next start.']),
  );
  form.removeAttribute('aria-busy');
}

/**
 * Wires the page: loads the configuration, renders the settings, keeps the element's attributes and
 * `context` in step with them, and logs every event.
 *
 * @returns after the element is defined and configured.
 */
export async function mountDemo(): Promise<void> {
  const config = await loadConfig();
  showBackend(config);
  await customElements.whenDefined('biometric-flow');

  const flow = byId<BiometricFlowElement>('flow');
  const form = byId<HTMLFormElement>('settings');
  const log = byId<HTMLOListElement>('event-log');
  const stateText = byId<HTMLElement>('flow-state');
  const statusButton = byId<HTMLButtonElement>('status-button');
  const statusOutput = byId<HTMLOutputElement>('server-status');

  let settings = readSettings(config.presets, config.failurePresets);
  renderSettings(form, config, settings);
  const details = byId<HTMLElement>('preset-details');

  const apply = () => {
    const preset = config.failurePresets.find((p) => p.id === settings.fails) ?? config.presets.find((p) => p.id === settings.preset)!;
    details.replaceChildren(...presetDetails(preset));
    flow.context = { preset: preset.id };
    flow.mode = settings.mode;
    flow.locale = settings.locale;
    if (settings.confirm) flow.setAttribute('status-endpoint', STATUS_ENDPOINT);
    else flow.removeAttribute('status-endpoint');
    flow.setAttribute('handoff', settings.handoff);
    if (settings.confirm) flow.setAttribute('handoff-endpoint', HANDOFF_ENDPOINT);
    else flow.removeAttribute('handoff-endpoint');
    if (config.flowBaseUrl) flow.flowBaseUrl = config.flowBaseUrl;
    flow.resume = settings.resume;
    writeSettings(settings);
    showInSnippets(settings);
  };
  apply();

  form.addEventListener('change', () => {
    const data = new FormData(form);
    settings = {
      preset: String(data.get('preset')),
      fails: String(data.get('fails') ?? ''),
      mode: String(data.get('mode')) as FlowMode,
      locale: String(data.get('locale')),
      confirm: data.get('confirm') !== null,
      resume: data.get('resume') !== null,
      handoff: (HANDOFFS.find((option) => option.value === data.get('handoff'))?.value ?? 'auto') as Handoff,
    };
    // An ended flow shows its ending, not a start button: put the element back so the new settings can run.
    if (['finished', 'cancelled', 'error'].includes(flow.state)) flow.reset();
    apply();
  });
  form.addEventListener('submit', (event) => event.preventDefault());

  byId<HTMLButtonElement>('reset-button').addEventListener('click', () => {
    flow.reset();
    statusOutput.value = '';
  });
  byId<HTMLButtonElement>('clear-log').addEventListener('click', () => log.replaceChildren());

  statusButton.addEventListener('click', async () => {
    const session = flow.session;
    if (!session) return;
    statusOutput.value = 'Asking…';
    try {
      // The session's status token: without it the server answers 401, whoever knows the id.
      const headers: Record<string, string> = session.statusToken ? { 'Biometric-Status-Token': session.statusToken } : {};
      const response = await fetch(`${STATUS_ENDPOINT}?session_id=${encodeURIComponent(session.id)}`, { headers });
      statusOutput.value = `HTTP ${response.status}\n${toJson(await response.json())}`;
    } catch (error) {
      statusOutput.value = `Failed: ${String(error)}`;
    }
  });

  const record = (name: string, detail: unknown) => {
    const now = new Date();
    const entry = h('li', { class: 'log-entry', 'data-event': name }, [
      h('div', { class: 'log-head' }, [
        h('time', { datetime: now.toISOString() }, [timeOf(now)]),
        ' ',
        h('code', { class: 'event-name' }, [name]),
      ]),
      h('pre', { class: 'log-detail' }, [toJson(detail)]),
    ]);
    log.prepend(entry);
    while (log.children.length > LOG_LIMIT) log.lastElementChild!.remove();
  };
  for (const name of EVENTS) {
    flow.addEventListener(name, (event) => record(name, (event as CustomEvent).detail));
  }
  flow.addEventListener('state-change', () => {
    stateText.textContent = flow.state;
    statusButton.disabled = !flow.session;
  });
  flow.addEventListener('session-created', () => {
    statusButton.disabled = false;
  });
  stateText.textContent = flow.state;
  byId<HTMLElement>('flow-panel').removeAttribute('hidden');
}
