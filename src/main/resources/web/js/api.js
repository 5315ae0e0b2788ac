// The HTTP half of the protocol (docs/protocol.md): accounts and room management.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call(method, path, token, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    throw new ApiError(response.status, error.code || 'http_' + response.status, error.message || response.statusText);
  }
  return data;
}

export const register = (username, password) => call('POST', '/api/auth/register', null, { username, password });
export const login = (username, password) => call('POST', '/api/auth/login', null, { username, password });
export const rooms = (token) => call('GET', '/api/rooms', token);
export const createRoom = (token, name, isPrivate) => call('POST', '/api/rooms', token, { name, private: isPrivate });
export const directMessage = (token, username) => call('POST', '/api/dm', token, { username });
