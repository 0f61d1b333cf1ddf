// Shared pieces of the console's pages: the header, the sign-in form, elements, dates, confirmation dialogs.
import { api, currentSession, signIn, signOut } from './api.js';

/** el('td', {class: 'x', onclick: f}, 'text', child...) */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (k === 'style') e.style.cssText = v; // CSSOM: allowed by the page's Content-Security-Policy
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Every status has a symbol and a word as well as a colour. */
export const STATUS = {
  completed: ['✓', 'completed'], succeeded: ['✓', 'succeeded'], approved: ['✓', 'approved'],
  running: ['▶', 'running'], started: ['▶', 'running'], requested: ['…', 'queued'], pending: ['○', 'pending'],
  failed: ['✕', 'failed'], 'timed-out': ['⏱', 'timed out'], cancelled: ['⊘', 'cancelled'],
  'awaiting-approval': ['⏸', 'waiting for approval'], 'retry-scheduled': ['↻', 'retry scheduled'],
};

export function statusBadge(status) {
  const [sym, word] = STATUS[status] || ['•', status];
  return el('span', { class: `badge s-${status}` }, el('span', { 'aria-hidden': 'true' }, sym), ` ${word}`);
}

/**
 * Asks before an action: a modal dialog with the given fields; `run(values)` does it. The API's refusal is shown
 * in the dialog as the API said it, and the dialog stays open.
 */
export function confirmDialog({ title, text, fields = [], confirm = 'Confirm', run }) {
  const inputs = fields.map((f, i) => {
    const id = `dlg-field-${i}`;
    const input = f.multiline
      ? el('textarea', { id, name: f.name, rows: 3 })
      : el('input', { id, name: f.name, type: 'text', value: f.value ?? '' });
    if (f.multiline && f.value) input.value = f.value;
    return { f, input, row: el('p', {}, el('label', { for: id }, f.label), input) };
  });
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const ok = el('button', { type: 'submit', class: 'primary' }, confirm);
  const cancel = el('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel');
  const form = el('form', { method: 'dialog' },
    el('h2', {}, title), text ? el('p', {}, text) : null, inputs.map(x => x.row), error,
    el('p', { class: 'buttons' }, ok, cancel));
  const dialog = el('dialog', { class: 'confirm', 'aria-label': title }, form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    ok.disabled = true;
    error.hidden = true;
    const values = {};
    for (const { f, input } of inputs) values[f.name] = input.value;
    try {
      await run(values);
      dialog.close();
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
    } finally {
      ok.disabled = false;
    }
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  (inputs[0]?.input || ok).focus();
  return dialog;
}

/** The page's header with who is signed in; null (and the sign-in form in `main`) when nobody is. */
export async function start(main) {
  const session = await currentSession();
  const who = document.getElementById('who');
  if (!session) {
    showSignIn(main);
    return null;
  }
  // back from the OIDC provider: on to the page the person signed in from
  const back = sessionStorage.getItem(RETURN_TO);
  if (back) {
    sessionStorage.removeItem(RETURN_TO);
    if (back.startsWith('/') && !back.startsWith('//') && back !== location.pathname + location.search + location.hash) {
      location.replace(back);
      return null;
    }
  }
  who.replaceChildren(
    el('span', { id: 'signed-in-as' }, `${session.name} (${session.roles.join(', ')})`), ' ',
    el('button', { type: 'button', id: 'sign-out', onclick: async () => { await signOut(); location.reload(); } }, 'Sign out'));
  return session;
}

const RETURN_TO = 'release-train.after-sign-in';

/** "Sign in with <provider>" when the coordinator has an OIDC sign-in for the console (else nothing). */
async function oidcSignIn(error) {
  let provider;
  try {
    provider = await api('/session/oidc/provider');
  } catch (e) {
    return null; // 404: no OIDC sign-in
  }
  const params = new URLSearchParams(location.search);
  const refused = params.get('error');
  const link = el('a', { id: 'sign-in-oidc', class: 'button primary', href: provider.signInPath,
    onclick: () => sessionStorage.setItem(RETURN_TO, refused ? location.pathname : location.pathname + location.search + location.hash) },
    `Sign in with ${provider.name}`);
  if (refused) {
    error.textContent = `${provider.name} did not sign you in: ${params.get('error_description') || refused}`;
    error.hidden = false;
  }
  return el('div', { id: 'sign-in-with-provider' }, el('p', {}, link),
    el('p', { class: 'muted' }, `Your roles come from your account at ${provider.name}. Or paste an API token:`));
}

function showSignIn(main) {
  const input = el('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true });
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const form = el('form', { id: 'sign-in', class: 'card' },
    el('h1', {}, 'Sign in to Release Train'),
    el('p', {}, 'Paste your API token. It is exchanged once for a session cookie this page cannot read; the token is not kept.'),
    el('p', {}, el('label', { for: 'token' }, 'API token'), input),
    error,
    el('p', {}, el('button', { type: 'submit', class: 'primary' }, 'Sign in')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await signIn(input.value.trim());
      input.value = '';
      location.reload();
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      input.focus();
    }
  });
  main.replaceChildren(form);
  input.focus();
  oidcSignIn(error).then(offer => {
    if (!offer) return;
    form.querySelector('h1').after(offer);
    offer.querySelector('a').focus();
  });
}

/** Replaces a container's children, leaving out absent ones (replaceChildren would print "null"). */
export function fill(container, ...children) {
  container.replaceChildren(...children.flat(Infinity).filter(c => c !== null && c !== undefined && c !== false)
    .map(c => (c instanceof Node ? c : document.createTextNode(String(c)))));
}

export function showError(container, e) {
  container.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
}
