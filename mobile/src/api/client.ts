/**
 * Minimal typed HTTP client for the ForYou CRM backend.
 *
 * Every response uses the envelope from docs/contract.md:
 *   success → {"success": true, "data": ...}
 *   error   → {"success": false, "error": {"code", "message", "details"?}}
 * Errors (including network failures and non-envelope bodies) surface as ApiError.
 *
 * `fetch` is injected so the same module runs in the app (React Native / web),
 * in unit tests (a fake fetch) and in integration tests (Node's global fetch).
 */

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue | QueryValue[]>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }
}

/** Status 0 is used for transport failures (no HTTP response at all). */
export const NETWORK_ERROR = 'NETWORK_ERROR';
export const BAD_RESPONSE = 'BAD_RESPONSE';

export interface ApiClientOptions {
  baseUrl: string;
  fetch?: FetchLike;
  /** Returns the current app JWT, or null when signed out. */
  getToken?: () => string | null | Promise<string | null>;
  /**
   * Called once per 401 response to a request that carried a bearer token.
   * (A 401 to an unauthenticated request — e.g. wrong password — is not a session expiry.)
   */
  onUnauthorized?: (error: ApiError) => void;
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Skip the Authorization header even if a token exists (login, meta). */
  anonymous?: boolean;
  signal?: AbortSignal;
}

export function buildQueryString(query: Query | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [key, raw] of Object.entries(query)) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values) {
      if (value === undefined || value === null || value === '') continue;
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

interface Envelope {
  success?: unknown;
  data?: unknown;
  error?: { code?: unknown; message?: unknown; details?: unknown } | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Maps any HTTP response body to either data or an ApiError (exported for tests). */
export function mapEnvelope<T>(status: number, body: unknown): T {
  if (isObject(body)) {
    const env = body as Envelope;
    if (env.success === true && status < 400) {
      return env.data as T;
    }
    if (env.success === false && isObject(env.error)) {
      const code = typeof env.error.code === 'string' ? env.error.code : `HTTP_${status}`;
      const message =
        typeof env.error.message === 'string' && env.error.message
          ? env.error.message
          : `Request failed with status ${status}`;
      return throwError(status, code, message, env.error.details);
    }
  }
  if (status === 401) {
    return throwError(401, 'UNAUTHORIZED', 'Unauthorized');
  }
  return throwError(
    status,
    status >= 400 ? `HTTP_${status}` : BAD_RESPONSE,
    `Unexpected response from the server (HTTP ${status})`,
  );
}

function throwError(status: number, code: string, message: string, details?: unknown): never {
  throw new ApiError(status, code, message, details);
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly getToken: () => string | null | Promise<string | null>;
  private readonly onUnauthorized?: (error: ApiError) => void;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const f = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
    if (!f) throw new Error('No fetch implementation available');
    this.fetchImpl = f;
    this.getToken = options.getToken ?? (() => null);
    this.onUnauthorized = options.onUnauthorized;
  }

  url(path: string, query?: Query): string {
    const p = path.startsWith('/') ? path : `/${path}`;
    return `${this.baseUrl}${p}${buildQueryString(query)}`;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = options.anonymous ? null : await this.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }

    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path, options.query), {
        method,
        headers,
        body,
        signal: options.signal,
      });
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new ApiError(0, NETWORK_ERROR, `Network error: ${message}`);
    }

    let parsed: unknown = undefined;
    const text = await response.text().catch(() => '');
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }

    try {
      return mapEnvelope<T>(response.status, parsed);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && token && this.onUnauthorized) {
        this.onUnauthorized(error);
      }
      throw error;
    }
  }

  get<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, { ...options, body: body ?? {} });
  }
}
