// A release's page: the live Gantt chart (refreshed on every event of the release's SSE stream), the gates, an
// attempt's details, the actions the signed-in person's roles allow, and the event log.
import { api, hasRole } from './api.js';
import { el, fill, when, duration, statusBadge, confirmDialog, start, showError } from './ui.js';
import { gantt, legend, safeLink } from './gantt.js';

const EVENT_TYPES = ['ReleaseStarted', 'StepRequested', 'StepStarted', 'StepProgress', 'StepSucceeded', 'StepFailed',
  'StepTimedOut', 'StepRetryRequested', 'GateOpened', 'GateApproved', 'ApprovalVoided', 'ReleaseCompleted', 'ReleaseFailed', 'ReleaseCancelled'];
const main = document.getElementById('main');
const version = new URLSearchParams(location.search).get('version');
const path = `/releases/${encodeURIComponent(version || '')}`;

let session = null;
let release = null;   // GET /releases/{v}: current status of each step, their editable parameters
let timeline = null;  // GET /releases/{v}/timeline: attempts, gates, critical path
let selected = null;  // [step, attempt] whose details are shown
let scrolledToAnchor = false;

const header = el('div', { id: 'release-header' });
const chart = el('div', { id: 'gantt', class: 'gantt-wrap' });
const details = el('section', { id: 'attempt-details', class: 'card', 'aria-live': 'polite', hidden: true });
const log = el('ol', { id: 'event-log', class: 'event-log', 'aria-label': 'Events, oldest first' });
const liveState = el('span', { id: 'live-state', class: 'muted' }, 'connecting…');

function stepView(id) {
  return release?.steps.find(s => s.step === id);
}

function actions(step) {
  const out = [];
  const current = stepView(step.step);
  const status = current?.status ?? step.status;
  const releaseOpen = release && (release.status === 'running' || release.status === 'failed');
  if (releaseOpen && status === 'awaiting-approval' && hasRole(session, 'approver')) {
    out.push(el('button', { type: 'button', class: 'primary', id: `approve-${step.step}`, onclick: () => approve(step) }, `Approve ${step.step}…`));
  }
  if (releaseOpen && (status === 'failed' || status === 'timed-out') && hasRole(session, 'release-manager')) {
    out.push(el('button', { type: 'button', class: 'primary', id: `retry-${step.step}`, onclick: () => retry(step) }, `Retry ${step.step}…`));
  }
  return out;
}

function approve(step) {
  confirmDialog({
    title: `Approve ${step.step}`,
    text: `Approve the gate ${step.step} of release ${version} as ${session.name}?`,
    fields: [{ name: 'note', label: 'Note', multiline: true }, { name: 'evidence', label: 'Evidence (a link)' }],
    confirm: 'Approve',
    run: async (v) => {
      const body = {};
      if (v.note.trim()) body.note = v.note;
      if (v.evidence.trim()) body.evidence = v.evidence.trim();
      await api(`${path}/gates/${encodeURIComponent(step.step)}/approve`, { method: 'POST', body });
      refresh();
    },
  });
}

function retry(step) {
  const editable = stepView(step.step)?.editable || [];
  const last = step.attempts[step.attempts.length - 1] || {};
  const params = last.params || {};
  confirmDialog({
    title: `Retry ${step.step}`,
    text: `Run ${step.step} again (attempt ${(last.attempt || 0) + 1})?`
      + (editable.length ? ' You may change the parameters the step lets a retry edit.' : ' The step declares no editable parameters.'),
    fields: [{ name: 'reason', label: 'Reason', multiline: true },
      ...editable.map(k => ({ name: `param:${k}`, label: `Parameter ${k}`, value: params[k] ?? '' }))],
    confirm: 'Retry',
    run: async (v) => {
      const body = {};
      if (v.reason.trim()) body.reason = v.reason;
      const changed = {};
      for (const k of editable) {
        if (v[`param:${k}`] !== (params[k] ?? '')) changed[k] = v[`param:${k}`];
      }
      if (Object.keys(changed).length) body.params = changed;
      await api(`${path}/steps/${encodeURIComponent(step.step)}/retry`, { method: 'POST', body });
      refresh();
    },
  });
}

function cancelRelease() {
  confirmDialog({
    title: `Cancel release ${version}`,
    text: 'Cancelling stops the release for good: no further step runs.',
    fields: [{ name: 'reason', label: 'Reason', multiline: true }],
    confirm: 'Cancel the release',
    run: async (v) => {
      await api(`${path}/cancel`, { method: 'POST', body: v.reason.trim() ? { reason: v.reason } : {} });
      refresh();
    },
  });
}

function kv(map) {
  const entries = Object.entries(map || {});
  if (!entries.length) return el('p', { class: 'muted' }, 'none');
  return el('dl', { class: 'kv' }, entries.map(([k, v]) => [el('dt', {}, k),
    el('dd', {}, typeof v === 'string' && /^https?:\/\//.test(v) ? safeLink(v, v) : typeof v === 'string' ? v : JSON.stringify(v))]));
}

function showAttempt(step, attempt) {
  selected = [step.step, attempt.attempt];
  renderDetails();
  details.focus();
}

function renderDetails() {
  if (!selected || !timeline) return;
  const step = timeline.steps.find(s => s.step === selected[0]);
  const a = step?.attempts.find(x => x.attempt === selected[1]);
  if (!a) return;
  details.hidden = false;
  details.setAttribute('tabindex', '-1');
  fill(details, 
    el('h2', {}, `${step.step}, attempt ${a.attempt} `, statusBadge(a.status)),
    el('p', {}, `requested ${when(a.requestedAt)}`, a.startedAt ? `, started ${when(a.startedAt)}` : '',
      a.endedAt ? `, ended ${when(a.endedAt)}` : '', a.worker ? ` on ${a.worker}` : '',
      a.queueMs != null ? ` · queued ${duration(a.queueMs)}` : '', a.runMs != null ? ` · ran ${duration(a.runMs)}` : '',
      a.retryRequestedBy ? ` · retry asked by ${a.retryRequestedBy}` : ''),
    a.reason ? el('div', {}, el('h3', {}, 'Error'), el('pre', { class: 'error-text' }, a.reason)) : null,
    a.lastProgress ? el('p', {}, 'Last progress: ', a.lastProgress) : null,
    el('h3', {}, 'Parameters'), kv(a.params),
    el('h3', {}, 'Outputs'), kv(a.outputs),
    el('p', {}, el('button', { type: 'button', onclick: () => { selected = null; details.hidden = true; document.getElementById(`bar-${step.step}-${a.attempt}`)?.focus(); } }, 'Close details')));
}

function render() {
  if (!release || !timeline) return;
  const focused = document.activeElement?.id;
  const open = release.status === 'running' || release.status === 'failed';
  fill(header, 
    el('h1', { 'data-status': release.status }, `Release ${release.version} `, statusBadge(release.status)),
    el('p', {}, `${release.kind} · runbook ${release.runbook} · started by ${timeline.startedBy || '?'} `,
      timeline.startedAt ? ['at ', el('time', { datetime: timeline.startedAt }, when(timeline.startedAt))] : '',
      timeline.endedAt ? [' · ended ', el('time', { datetime: timeline.endedAt }, when(timeline.endedAt))] : '',
      timeline.durationMs != null ? ` (${duration(timeline.durationMs)})` : '', ' · ', liveState),
    release.status === 'failed' ? el('p', { class: 'error', role: 'status' }, `Stopped at ${release.failedStep}: ${release.reason || ''}`) : null,
    el('p', {}, `Queue ${duration(timeline.waits.queueMs)} · run ${duration(timeline.waits.runMs)} · waiting for people ${duration(timeline.waits.humanWaitMs)}`,
      open && hasRole(session, 'release-manager')
        ? [' ', el('button', { type: 'button', id: 'cancel-release', class: 'danger', onclick: cancelRelease }, 'Cancel release…')] : null));
  // steps not requested yet get a row too (no bars), so the whole plan shows from the start
  const requested = new Set(timeline.steps.map(s => s.step));
  const later = release.steps.filter(s => !requested.has(s.step))
    .map(s => ({ step: s.step, service: s.service, status: s.status, attempts: [], gate: null, action: s.action }));
  fill(chart, gantt({ ...timeline, steps: [...timeline.steps, ...later] }, { actions, onAttempt: showAttempt }));
  renderDetails();
  if (focused && document.getElementById(focused) && document.activeElement === document.body) {
    document.getElementById(focused).focus();
  }
  if (!scrolledToAnchor && location.hash.startsWith('#step-')) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      scrolledToAnchor = true;
      target.classList.add('linked');
      target.scrollIntoView({ block: 'center' });
      target.focus();
    }
  }
}

let pending = null;
function refresh() {
  if (pending) return;
  pending = setTimeout(async () => {
    pending = null;
    try {
      [release, timeline] = await Promise.all([api(path), api(`${path}/timeline`)]);
      render();
    } catch (e) {
      liveState.textContent = `could not refresh: ${e.message}`;
    }
  }, 150);
}

function describe(e) {
  const d = e.data || {};
  switch (e.type) {
    case 'ReleaseStarted': return `release ${d.version} started by ${d.startedBy} (runbook ${d.runbook})`;
    case 'StepRequested': return `${d.step} requested (attempt ${d.attempt})`;
    case 'StepStarted': return `${d.step} started on ${d.worker}`;
    case 'StepProgress': return `${d.step}: ${d.message}`;
    case 'StepSucceeded': return `${d.step} succeeded`;
    case 'StepFailed': return `${d.step} failed${d.retryable ? ' (retryable)' : ''}: ${d.reason}`;
    case 'StepTimedOut': return `${d.step} timed out (deadline ${d.deadline})`;
    case 'StepRetryRequested': return `${d.step} retry asked by ${d.requestedBy}${d.reason ? `: ${d.reason}` : ''}`;
    case 'GateOpened': return `${d.gate} waiting for ${d.approvers}`;
    case 'GateApproved': return `${d.gate} approved by ${d.approver}${d.note ? `: ${d.note}` : ''}`;
    case 'ApprovalVoided': return `${d.gate}: ${d.reason}`;
    case 'ReleaseCompleted': return 'release completed';
    case 'ReleaseFailed': return `release stopped: ${d.failedStep} failed: ${d.reason}`;
    case 'ReleaseCancelled': return `release cancelled by ${d.cancelledBy}`;
    default: return e.type;
  }
}

function follow() {
  const source = new EventSource(`${path}/events`);
  let lastSeq = 0;
  source.onopen = () => { liveState.textContent = '● live'; };
  source.onerror = () => { liveState.textContent = source.readyState === EventSource.CLOSED ? 'stream closed' : 'reconnecting…'; };
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (m) => {
      const e = JSON.parse(m.data);
      if (e.seq <= lastSeq) return; // a reconnect replays the stream's last event
      lastSeq = e.seq;
      const step = e.data?.step || e.data?.gate;
      log.append(el('li', { 'data-type': e.type },
        el('span', { class: 'seq' }, `#${e.seq}`), ' ', el('time', { datetime: e.time }, when(e.time)), ' ',
        el('span', { class: 'etype' }, e.type), ' ',
        step ? el('a', { href: `#step-${step}` }, describe(e)) : describe(e)));
      refresh();
      if (type === 'ReleaseCompleted' || type === 'ReleaseCancelled') {
        source.close(); // the release is over: its stream ends here
        liveState.textContent = 'finished';
      }
    });
  }
}

async function main_() {
  session = await start(main);
  if (!session) return;
  if (!version) {
    showError(main, new Error('No release given: open a release from the list.'));
    return;
  }
  document.title = `${version} · Release Train`;
  fill(main, el('p', {}, el('a', { href: '/' }, '← All releases')), header, legend(), chart, details,
    el('section', { 'aria-labelledby': 'log-title' }, el('h2', { id: 'log-title' }, 'Event log'), log));
  try {
    [release, timeline] = await Promise.all([api(path), api(`${path}/timeline`)]);
  } catch (e) {
    showError(main, e);
    return;
  }
  render();
  follow();
  setInterval(() => { if (release?.status === 'running') render(); }, 1000); // running bars grow
}

main_().catch(e => showError(main, e));
