// The "New release" page: plan a release (POST /releases/plan: what starting it would do, with no effect), read the
// plan (dates, owner, every step with its parameters, the diffs, what would be created and what exists already,
// the steps that could not be planned and why), then start exactly that version (POST /releases).
import { api, hasRole } from './api.js';
import { el, fill, when, confirmDialog, start, showError } from './ui.js';
import { safeLink } from './gantt.js';

const main = document.getElementById('main');
const query = new URLSearchParams(location.search);

let session = null;
let planned = null; // { body, plan }: the request of the plan shown and its answer

const out = el('div', { id: 'plan-out' });
const status = el('p', { id: 'plan-status', role: 'status', 'aria-live': 'polite', class: 'muted' });

function form() {
  const version = el('input', { id: 'plan-version', name: 'version', placeholder: 'next version', pattern: '\\d+\\.\\d+\\.\\d+',
    value: query.get('version') || '', 'aria-describedby': 'plan-version-help' });
  const kind = el('select', { id: 'plan-kind', name: 'kind' },
    el('option', { value: 'minor' }, 'minor'), el('option', { value: 'patch', selected: query.get('kind') === 'patch' }, 'patch'));
  const button = el('button', { type: 'submit', class: 'primary', id: 'plan-submit' }, 'Plan');
  const f = el('form', { id: 'plan-form', class: 'card' },
    el('p', { class: 'inline' }, el('label', { for: 'plan-version' }, 'Version'), version,
      el('label', { for: 'plan-kind' }, 'Kind'), kind, ' ', button),
    el('p', { id: 'plan-version-help', class: 'muted' },
      'Leave the version empty for the next one (the next minor, or the next patch of the newest line). ',
      'Planning changes nothing: no event, no command, no push; the git service works the git steps out on fresh clones, ',
      'which can take a minute.'));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {};
    if (version.value.trim()) body.version = version.value.trim();
    if (kind.value === 'patch') body.kind = 'patch';
    button.disabled = true;
    out.setAttribute('aria-busy', 'true');
    status.textContent = 'Planning…';
    try {
      const plan = await api('/releases/plan', { method: 'POST', body });
      planned = { body, plan };
      status.textContent = `Plan of release ${plan.version} ready: ${plan.steps.length} steps, ${plan.notPlanned.length} not planned.`;
      fill(out, renderPlan(plan));
      document.getElementById('plan-title').focus();
    } catch (e) {
      planned = null;
      status.textContent = '';
      showError(out, e);
    } finally {
      button.disabled = false;
      out.removeAttribute('aria-busy');
    }
  });
  // a plan is for the form's values: once they change it is not what "Start" would start
  f.addEventListener('input', () => {
    if (!planned) return;
    planned = null;
    const s = document.getElementById('start-planned-area');
    if (s) fill(s, el('p', { class: 'muted' }, 'The form changed since this plan: plan again to start a release.'));
  });
  return f;
}

function renderPlan(p) {
  const d = p.dates || {};
  return el('section', { id: 'plan', 'aria-labelledby': 'plan-title' },
    el('h2', { id: 'plan-title', tabindex: '-1' }, `Plan of release ${p.version}`),
    el('p', {}, 'Nothing was changed. The real run works on the remotes as they are when it starts.'),
    el('dl', { class: 'kv card', id: 'plan-summary' },
      entry('Version', p.version), entry('Kind', p.kind), entry('Runbook', p.runbook),
      entry('Previous version', p.previousVersion || 'none'), entry('Owner', p.owner), entry('Started by', p.startedBy),
      entry('Code freeze', time(d.freeze)), entry('Break-the-release session', time(d.breakTheRelease)),
      entry('Release day', time(d.releaseDay))),
    startArea(p),
    el('h3', {}, 'Steps, in order'),
    el('p', { class: 'legend-text muted' }, 'In the diffs, ', el('span', { class: 'd-add' }, '+ added'), ' and ',
      el('span', { class: 'd-del' }, '- removed'), ' lines start with their sign.'),
    el('ol', { id: 'plan-steps', class: 'plan-steps' }, p.steps.map(stepItem)),
    p.changelog ? changelog(p.changelog) : null,
    notPlanned(p),
    p.variables ? el('details', { id: 'plan-variables', class: 'card' }, el('summary', {}, 'Release variables (every command carries them)'),
      value(p.variables)) : null);
}

function entry(k, v) {
  return [el('dt', {}, k), el('dd', {}, v === null || v === undefined || v === '' ? '—' : v)];
}

function time(iso) {
  return iso ? el('time', { datetime: iso }, when(iso)) : null;
}

function startArea(p) {
  const area = el('div', { id: 'start-planned-area' });
  if (!hasRole(session, 'release-manager')) return area;
  fill(area, el('p', {}, el('button', { type: 'button', class: 'primary', id: 'start-planned', onclick: () => startPlanned(p) },
    `Start release ${p.version}…`)));
  return area;
}

function startPlanned(p) {
  // the version the plan resolved, so a release started meanwhile cannot shift "the next one" under the person
  const body = { ...planned.body, version: p.version };
  confirmDialog({
    title: `Start release ${p.version}`,
    text: `Start release ${p.version} (${p.kind}, runbook ${p.runbook}, owner ${p.owner}) as planned? Its steps begin at once.`,
    confirm: 'Start release',
    run: async () => {
      const started = await api('/releases', { method: 'POST', body });
      location.href = `/release.html?version=${encodeURIComponent(started.version)}`;
    },
  });
}

const PLAN_STATE = { planned: ['✓', 'planned'], gate: ['⏸', 'gate'], not: ['○', 'not planned'] };

function stepItem(s, i) {
  const state = s.gate ? 'gate' : s.planned ? 'planned' : 'not';
  const [sym, word] = PLAN_STATE[state];
  return el('li', { id: `plan-step-${s.step}`, class: `card plan-step p-${state}`, 'data-planned': String(s.planned), tabindex: '-1' },
    el('h4', {}, el('span', { class: 'step-no' }, `${i + 1}. `), s.step, ' ',
      el('span', { class: `badge p-${state}` }, el('span', { 'aria-hidden': 'true' }, sym), ` ${word}`)),
    el('p', { class: 'muted' }, `${s.service} service`, s.phase ? ` · phase ${s.phase}` : '',
      s.needs && s.needs.length ? ` · after ${s.needs.join(', ')}` : ''),
    s.gate ? el('p', {}, 'Gate: ', s.gate) : null,
    s.binds && Object.keys(s.binds).length ? el('div', {}, el('h5', {}, 'An approval binds'), value(s.binds)) : null,
    s.note ? el('p', { class: s.planned ? 'note' : 'note not-planned' }, s.note) : null,
    el('h5', {}, 'Parameters'), value(s.params || {}),
    s.plan ? stepPlan(s.plan) : null);
}

// The fields of a step's plan shown elsewhere (the step's own head) or specially (the git service's plan).
const SHOWN = new Set(['step', 'handler', 'planned', 'note']);
const KNOWN = {
  creates: (list) => list.length ? el('div', {}, el('h5', {}, 'Would create'), el('ul', { class: 'creates' }, list.map(creates))) : null,
  changes: (list) => list.length ? el('div', {}, el('h5', {}, 'Would change'), list.map(change)) : null,
  picks: (list) => list.length ? el('div', {}, el('h5', {}, 'Fixes to cherry-pick'), el('ul', {}, list.map(pick))) : null,
  outputs: (map) => Object.keys(map || {}).length ? el('div', {}, el('h5', {}, 'Would report'), value(map)) : null,
};

/** A step's plan: the git service's fields specially, any other field (another service's plan) as data. */
function stepPlan(plan) {
  const parts = [];
  for (const [k, v] of Object.entries(plan)) {
    if (SHOWN.has(k) || v === null || v === undefined) continue;
    if (KNOWN[k] && (Array.isArray(v) || typeof v === 'object')) parts.push(KNOWN[k](v));
    else parts.push(el('div', {}, el('h5', {}, words(k)), value(v, k)));
  }
  return el('div', { class: 'step-plan' }, parts);
}

function creates(c) {
  const what = c.kind === 'pull-request' ? `pull request “${c.name}”` : `${c.kind} ${c.name}`;
  return el('li', { class: c.exists ? 'exists' : 'new' },
    el('span', { class: `badge ${c.exists ? 'c-exists' : 'c-new'}` }, c.exists ? '= exists already' : '+ new'), ' ',
    what, ` in ${c.repository}`, c.exists && c.at ? ` (at ${c.at})` : '');
}

function pick(k) {
  const outcome = { picked: '✓ would be picked', 'on-branch': '= on the branch already', conflict: '✕ would conflict' }[k.outcome] || k.outcome;
  return el('li', {}, `#${k.pullRequest} ${k.title}: `, el('strong', {}, outcome),
    k.conflicts && k.conflicts.length ? ` in ${k.conflicts.join(', ')}` : '');
}

function change(c) {
  const lines = (c.diff || '').split('\n');
  const added = lines.filter(l => l.startsWith('+') && !l.startsWith('+++')).length;
  const removed = lines.filter(l => l.startsWith('-') && !l.startsWith('---')).length;
  const name = `${c.repository}: ${c.path}`;
  return el('figure', { class: 'change', 'data-path': c.path },
    el('figcaption', {}, el('code', {}, c.path), ` in ${c.repository} `, el('span', { class: 'muted' }, `(+${added} −${removed})`)),
    diff(c.diff || '', `Diff of ${name}`));
}

/** A unified diff, each line keeping its sign; colour and weight only repeat it. */
function diff(text, label) {
  return el('pre', { class: 'diff', tabindex: '0', 'aria-label': label },
    text.replace(/\n$/, '').split('\n').map(line => el('span', { class: `dl ${lineKind(line)}` }, line === '' ? ' ' : line)));
}

function lineKind(line) {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ') || line.startsWith('index ')) return 'd-meta';
  if (line.startsWith('+')) return 'd-add';
  if (line.startsWith('-')) return 'd-del';
  if (line.startsWith('@@')) return 'd-hunk';
  return 'd-ctx';
}

function looksLikeDiff(key, text) {
  return /diff/i.test(key || '') || /^(--- |\+\+\+ |@@ )/m.test(text) && /^@@ /m.test(text);
}

/** Any JSON value, readably: text (a block when it has several lines), lists, and objects as key/value lists. */
function value(v, key) {
  if (v === null || v === undefined || v === '') return el('span', { class: 'muted' }, '—');
  if (typeof v === 'string') {
    if (v.includes('\n') && looksLikeDiff(key, v)) return diff(v, `Diff: ${key}`);
    if (v.includes('\n') || v.length > 160) return el('pre', { class: 'block', tabindex: '0', 'aria-label': key || 'text' }, v);
    return /^https?:\/\//.test(v) ? safeLink(v, v) : v;
  }
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) {
    if (!v.length) return el('span', { class: 'muted' }, 'none');
    if (v.every(x => x === null || typeof x !== 'object') && v.every(x => typeof x !== 'string' || !x.includes('\n'))) {
      return el('ul', { class: 'values' }, v.map(x => el('li', {}, value(x, key))));
    }
    return el('ol', { class: 'items' }, v.map(x => el('li', {}, value(x, key))));
  }
  const entries = Object.entries(v);
  if (!entries.length) return el('span', { class: 'muted' }, 'none');
  return el('dl', { class: 'kv' }, entries.map(([k, x]) => [el('dt', {}, k), el('dd', {}, value(x, k))]));
}

/** camelCase field names as words: invalidationPaths -> invalidation paths */
function words(k) {
  return k.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]/g, ' ').toLowerCase().replace(/^./, c => c.toUpperCase());
}

function changelog(log) {
  const rest = Object.entries(log).filter(([k]) => !['range', 'commits', 'log', 'highlights', 'externalContributors'].includes(k));
  return el('section', { id: 'plan-changelog', class: 'card', 'aria-labelledby': 'changelog-title' },
    el('h3', { id: 'changelog-title' }, 'Changelog'),
    el('p', {}, log.range ? ['Range ', el('code', {}, log.range)] : '', log.commits !== undefined ? `, ${log.commits} commits` : ''),
    log.log ? el('pre', { class: 'block', tabindex: '0', 'aria-label': 'git log' }, log.log) : null,
    log.highlights && log.highlights.length ? [el('h4', {}, 'Highlights'),
      el('ul', {}, log.highlights.map(h => el('li', {}, h.number ? `#${h.number} ` : '', h.title || value(h))))] : null,
    log.externalContributors && log.externalContributors.length
      ? el('p', {}, 'External contributors: ', log.externalContributors.join(', ')) : null,
    rest.length ? value(Object.fromEntries(rest)) : null);
}

function notPlanned(p) {
  const steps = p.steps.filter(s => !s.planned);
  return el('section', { id: 'not-planned', class: 'card', 'aria-labelledby': 'not-planned-title' },
    el('h3', { id: 'not-planned-title' }, `Not planned (${steps.length})`),
    steps.length
      ? el('ul', {}, steps.map(s => el('li', {}, el('a', { href: `#plan-step-${s.step}` }, s.step), ': ', s.note || 'no reason given')))
      : el('p', {}, 'Every step was planned.'));
}

async function render() {
  session = await start(main);
  if (!session) return;
  const back = el('p', {}, el('a', { href: '/' }, '← All releases'));
  if (!hasRole(session, 'release-manager')) {
    fill(main, back, el('h1', {}, 'New release'),
      el('p', { class: 'error', role: 'alert' }, `Planning and starting a release needs the release-manager role; ${session.name} has ${session.roles.join(', ')}.`));
    return;
  }
  fill(main, back, el('h1', {}, 'New release'), form(), status, out);
  document.getElementById('plan-version').focus();
}

render().catch(e => showError(main, e));
