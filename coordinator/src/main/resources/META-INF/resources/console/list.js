// The releases list, the calendar (next freezes and release days), the personal calendar-feed URL, starting a release.
import { api, hasRole } from './api.js';
import { el, when, statusBadge, confirmDialog, start, showError } from './ui.js';

const main = document.getElementById('main');

function releasesTable(rows) {
  if (rows.length === 0) return el('p', {}, 'No releases yet.');
  return el('table', { id: 'releases' },
    el('caption', {}, 'Releases, newest first'),
    el('thead', {}, el('tr', {}, ['Version', 'Kind', 'Status', 'Current step', 'Owner', 'Started', 'Ended']
      .map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map(r => el('tr', { 'data-version': r.version },
      el('th', { scope: 'row' }, el('a', { href: `/release.html?version=${encodeURIComponent(r.version)}` }, r.version)),
      el('td', { 'data-label': 'Kind' }, r.runbook === r.kind ? r.kind : `${r.kind} (${r.runbook})`),
      el('td', { 'data-label': 'Status' }, statusBadge(r.status)),
      el('td', { 'data-label': 'Current step' }, (r.currentSteps || []).map((s, i) => [i ? ', ' : '',
        el('a', { href: `/release.html?version=${encodeURIComponent(r.version)}#step-${s}` }, s)])),
      el('td', { 'data-label': 'Owner' }, r.startedBy || ''),
      el('td', { 'data-label': 'Started' }, el('time', { datetime: r.startedAt }, when(r.startedAt))),
      el('td', { 'data-label': 'Ended' }, r.endedAt ? el('time', { datetime: r.endedAt }, when(r.endedAt)) : '—')))));
}

function startForm() {
  const version = el('input', { id: 'start-version', name: 'version', placeholder: 'next minor', pattern: '\\d+\\.\\d+\\.\\d+' });
  const kind = el('select', { id: 'start-kind', name: 'kind' }, el('option', { value: 'minor' }, 'minor'), el('option', { value: 'patch' }, 'patch'));
  const plan = el('a', { id: 'plan-release', href: '/new.html' }, 'Plan it first…');
  const form = el('form', { id: 'start-release', class: 'card' },
    el('h2', {}, 'Start a release'),
    el('p', { class: 'inline' }, el('label', { for: 'start-version' }, 'Version'), version,
      el('label', { for: 'start-kind' }, 'Kind'), kind,
      el('button', { type: 'submit', class: 'primary' }, 'Start…'), ' ', plan),
    el('p', { class: 'muted' }, '“Plan it first” shows what the release would do (its dates, steps, diffs, what it would create) and changes nothing.'));
  // the plan page opens with the form's values
  form.addEventListener('input', () => {
    const q = new URLSearchParams();
    if (version.value.trim()) q.set('version', version.value.trim());
    if (kind.value === 'patch') q.set('kind', 'patch');
    plan.href = `/new.html${q.toString() ? `?${q}` : ''}`;
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = {};
    if (version.value.trim()) body.version = version.value.trim();
    if (kind.value === 'patch') body.kind = 'patch';
    confirmDialog({
      title: 'Start a release',
      text: `Start ${body.version ? `release ${body.version}` : 'the next minor release'} (${kind.value})? Its steps begin at once.`,
      confirm: 'Start release',
      run: async () => {
        const started = await api('/releases', { method: 'POST', body });
        location.href = `/release.html?version=${encodeURIComponent(started.version)}`;
      },
    });
  });
  return form;
}

async function calendarSection() {
  const year = new Date().getUTCFullYear();
  const months = [...await api(`/calendar/${year}`), ...(year < 2100 ? await api(`/calendar/${year + 1}`) : [])];
  const today = new Date().toISOString().slice(0, 10);
  const next = months.filter(m => m.releaseDate >= today).slice(0, 3);
  return el('section', { id: 'calendar', class: 'card', 'aria-labelledby': 'calendar-title' },
    el('h2', { id: 'calendar-title' }, 'Calendar'),
    el('table', {},
      el('thead', {}, el('tr', {}, ['Month', 'Code freeze', 'Break the release from', 'Release day', 'Owner', 'Version']
        .map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, next.map(m => el('tr', {},
        el('th', { scope: 'row' }, m.month),
        el('td', { 'data-label': 'Code freeze' }, el('time', { datetime: m.freezeTime }, when(m.freezeTime))),
        el('td', { 'data-label': 'Break the release from' }, el('time', { datetime: m.breakTheReleaseTime }, when(m.breakTheReleaseTime))),
        el('td', { 'data-label': 'Release day' }, el('time', { datetime: m.releaseTime }, when(m.releaseTime))),
        el('td', { 'data-label': 'Owner' }, m.owner),
        el('td', { 'data-label': 'Version' }, m.version || '—'))))),
    feedUrl());
}

function feedUrl() {
  const out = el('p', { id: 'feed-url-out', 'aria-live': 'polite' });
  const get = el('button', { type: 'button', id: 'feed-url' }, 'Get my calendar feed URL…');
  const revoke = el('button', { type: 'button', id: 'feed-url-revoke' }, 'Revoke my feed URL…');
  get.addEventListener('click', () => confirmDialog({
    title: 'Calendar feed URL',
    text: 'A new secret URL for your calendar app; it replaces your earlier one, which stops working.',
    confirm: 'Make a new URL',
    run: async () => {
      const r = await api('/calendar/feed-url', { method: 'POST' });
      const input = el('input', { id: 'feed-url-value', readonly: true, value: r.url, 'aria-label': 'Your calendar feed URL', size: 60 });
      out.replaceChildren(el('label', { for: 'feed-url-value' }, 'Subscribe to: '), input,
        ' Keep it to yourself: anyone with it can read the release calendar.');
      input.select();
    },
  }));
  revoke.addEventListener('click', () => confirmDialog({
    title: 'Revoke the calendar feed URL', text: 'Your calendar app stops receiving the release calendar.', confirm: 'Revoke',
    run: async () => {
      await api('/calendar/feed-url', { method: 'DELETE' });
      out.textContent = 'Your calendar feed URL no longer works.';
    },
  }));
  return el('div', {}, el('h3', {}, 'Your calendar feed'), el('p', {}, get, ' ', revoke), out);
}

async function render() {
  const session = await start(main);
  if (!session) return;
  const list = el('section', { id: 'release-list', 'aria-labelledby': 'releases-title' }, el('h1', { id: 'releases-title' }, 'Releases'));
  main.replaceChildren(list);
  if (hasRole(session, 'release-manager')) list.append(startForm());
  const table = el('div', {}, el('p', {}, 'Loading…'));
  list.append(table);
  try {
    table.replaceChildren(releasesTable(await api('/releases')));
  } catch (e) {
    showError(table, e);
  }
  try {
    main.append(await calendarSection());
  } catch (e) {
    const c = el('section', { id: 'calendar' });
    showError(c, e);
    main.append(c);
  }
}

render().catch(e => showError(main, e));
