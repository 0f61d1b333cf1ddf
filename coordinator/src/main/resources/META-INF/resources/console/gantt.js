// The release's Gantt chart: one row per step, one bar per attempt (its queue part, then its run), gates as the
// time they waited for people. Every kind of bar has its own pattern and a word, not only a colour.
import { el, when, duration, statusBadge, STATUS } from './ui.js';

export const KINDS = [
  ['queue', 'queued (waiting for a worker)'], ['running', 'running'], ['succeeded', 'succeeded'],
  ['failed', 'failed'], ['timed-out', 'timed out'], ['human-wait', 'waiting for a person'], ['approved', 'gate approved'],
];

export function legend() {
  return el('ul', { class: 'legend', 'aria-label': 'Legend' },
    KINDS.map(([k, word]) => el('li', {}, el('span', { class: `swatch k-${k}`, 'aria-hidden': 'true' }), word)),
    el('li', {}, el('span', { class: 'critical-mark' }, '★ critical path'), ' the steps that set the release\'s length'));
}

const ms = iso => (iso ? Date.parse(iso) : null);

/** The chart; `actions(step)` gives a row's buttons, `onAttempt(step, attempt)` opens an attempt's details. */
export function gantt(timeline, { now = Date.now(), actions = () => [], onAttempt }) {
  const t0 = ms(timeline.startedAt) ?? now;
  const t1 = Math.max(ms(timeline.endedAt) ?? now, t0 + 1000);
  const pos = t => `${(((t ?? t1) - t0) / (t1 - t0)) * 100}%`;
  const span = (a, b) => `${Math.max(((b ?? t1) - (a ?? t0)) / (t1 - t0) * 100, 0)}%`;
  const critical = new Set(timeline.criticalPath || []);

  const rows = timeline.steps.map(step => {
    const bars = [];
    if (step.gate) {
      const g = step.gate;
      const kind = g.approvedAt ? 'approved' : 'human-wait';
      const end = ms(g.approvedAt) ?? now;
      bars.push(el('span', {
        class: `bar k-${kind}`, style: `left:${pos(ms(g.openedAt))};width:${span(ms(g.openedAt), end)}`,
        title: g.approvedAt ? `waited ${duration(g.waitMs)} for ${g.approver}` : `waiting for ${g.waitingFor || 'approval'}`,
      }, el('span', { class: 'bar-text' }, g.approvedAt ? '✓ approved' : '⏸ waiting')));
    }
    for (const a of step.attempts) {
      const req = ms(a.requestedAt), st = ms(a.startedAt), end = ms(a.endedAt);
      const runKind = a.status === 'succeeded' ? 'succeeded' : a.status === 'failed' ? 'failed'
        : a.status === 'timed-out' ? 'timed-out' : 'running';
      const stateWord = a.status === 'requested' ? 'queued' : (STATUS[a.status] || [, a.status])[1];
      const queueEnd = st ?? end ?? now;
      const total = Math.max((end ?? now) - req, 1);
      const queuePart = Math.min(100, ((queueEnd - req) / total) * 100);
      const label = `${step.step}, attempt ${a.attempt}: ${stateWord}`
        + (a.queueMs != null ? `, queued ${duration(a.queueMs)}` : '') + (a.runMs != null ? `, ran ${duration(a.runMs)}` : '');
      bars.push(el('button', {
        type: 'button', class: `bar attempt k-${a.status === 'requested' ? 'queue' : runKind}`,
        id: `bar-${step.step}-${a.attempt}`, 'data-attempt': a.attempt, 'data-status': a.status,
        style: `left:${pos(req)};width:${span(req, end ?? now)}`, 'aria-label': label, title: label,
        onclick: () => onAttempt(step, a),
      },
      el('span', { class: 'queue-part k-queue', style: `width:${queuePart}%`, 'aria-hidden': 'true' }),
      el('span', { class: 'bar-text' }, `#${a.attempt} ${(STATUS[a.status] || ['•'])[0]}`)));
    }
    const isCritical = critical.has(step.step);
    return el('li', {
      id: `step-${step.step}`, class: `row${isCritical ? ' critical' : ''}`, tabindex: '-1',
      'data-status': step.status, 'data-attempts': step.attempts.length,
    },
    el('div', { class: 'label' },
      el('a', { class: 'step-name', href: `#step-${step.step}` }, step.step),
      ' ', statusBadge(step.status),
      isCritical ? el('span', { class: 'critical-mark', title: 'on the critical path' }, '★ critical') : null,
      step.action ? el('span', { class: 'muted' }, ` runs ${step.action}`) : null,
      gateLine(step.gate),
      el('span', { class: 'actions' }, actions(step))),
    el('div', { class: 'track' }, el('div', { class: 'lane' }, bars)));
  });
  return el('ol', { class: 'gantt', 'aria-label': 'Steps and their attempts over time' }, rows);
}

function gateLine(g) {
  if (!g) return null;
  // an approval that no longer holds (what it was bound to changed) stays on the page, with why
  const voided = (g.voided || []).map(v => el('span', { class: 'gate voided' },
    ` approval by ${v.approver} void at `, el('time', { datetime: v.voidedAt }, when(v.voidedAt)), `: ${v.reason};`));
  if (!g.approvedAt) {
    return [voided, el('span', { class: 'gate' }, ` waiting since ${when(g.openedAt)} for ${g.waitingFor || 'an approver'}`)];
  }
  return [voided, el('span', { class: 'gate' }, ` approved by `, el('strong', { class: 'approver' }, g.approver),
    ` at `, el('time', { datetime: g.approvedAt }, when(g.approvedAt)),
    g.note ? [': ', el('q', { class: 'note' }, g.note)] : null,
    g.evidence ? [' ', safeLink(g.evidence, 'evidence')] : null)];
}

/** A link only for http(s) URLs; anything else is shown as text. */
export function safeLink(url, text) {
  try {
    const u = new URL(url);
    if (u.protocol === 'https:' || u.protocol === 'http:') return el('a', { href: u.href, rel: 'noopener noreferrer' }, text);
  } catch (e) { /* not a URL */ }
  return el('span', {}, `${text}: ${url}`);
}
