// The console's access to the coordinator's API: the session cookie (HttpOnly, so never visible here) does the
// authentication; every change also sends the session's CSRF token, which GET /session hands to this page.
let csrfToken = null;

/** An API refusal: `message` is the API's own message, shown as it is. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (method !== 'GET' && method !== 'HEAD') {
    if (csrfToken) h['X-CSRF-Token'] = csrfToken;
    if (body !== undefined) h['Content-Type'] = 'application/json';
  }
  const res = await fetch(path, {
    method, headers: h, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!res.ok) {
    throw new ApiError(res.status, (json && json.message) || `${res.status} ${res.statusText}`);
  }
  return json;
}

/** Who is signed in (name, roles), or null. */
export async function currentSession() {
  try {
    const s = await api('/session');
    csrfToken = s.csrfToken;
    return s;
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
}

export function hasRole(session, role) {
  return !!session && session.roles.includes(role);
}

/** Exchanges a bearer token for a session cookie; the token is sent once, in a header, and not kept. */
export async function signIn(token) {
  const s = await api('/session', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  csrfToken = s.csrfToken;
  return s;
}

export async function signOut() {
  await api('/session', { method: 'DELETE' });
  csrfToken = null;
}
