import type { ApiError } from '../api/client';

/**
 * The current JWT in memory (read synchronously by the API client) plus the
 * "session expired" signal raised when an authenticated request gets 401.
 */
export class TokenHolder {
  private token: string | null = null;
  private readonly listeners = new Set<(error: ApiError) => void>();

  get(): string | null {
    return this.token;
  }

  set(token: string | null): void {
    this.token = token;
  }

  onUnauthorized(listener: (error: ApiError) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Called by the API client; clears the token first so nothing retries with it. */
  raiseUnauthorized(error: ApiError): void {
    this.token = null;
    for (const listener of Array.from(this.listeners)) listener(error);
  }
}
