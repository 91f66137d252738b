import { useCallback, useEffect, useState } from 'react';

import { ApiError } from '../api/client';
import type { ForYouApi } from '../api/endpoints';
import type { LeadDetail } from '../api/types';

export type LeadState =
  | { phase: 'loading' }
  | { phase: 'ready'; lead: LeadDetail }
  | { phase: 'error'; error: ApiError };

/** One lead, whole (`GET /api/amo-crm/leads/{id}`); `reload` asks again (pull to refresh). */
export function useLead(api: Pick<ForYouApi, 'getLead'>, id: number | null): LeadState & { reload: () => void } {
  const [state, setState] = useState<LeadState>({ phase: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (id === null) {
      setState({ phase: 'error', error: new ApiError(404, 'LEAD_NOT_FOUND', 'No such lead') });
      return;
    }
    let cancelled = false;
    setState((s) => (s.phase === 'ready' && s.lead.id === id ? s : { phase: 'loading' }));
    api.getLead(id).then(
      (lead) => !cancelled && setState({ phase: 'ready', lead }),
      (error: unknown) =>
        !cancelled &&
        setState({
          phase: 'error',
          error: error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', String(error)),
        }),
    );
    return () => {
      cancelled = true;
    };
  }, [api, id, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, reload };
}

/** The route's `id` as a lead id (a positive integer), else null. */
export function leadIdOf(param: string | string[] | undefined): number | null {
  const text = Array.isArray(param) ? param[0] : param;
  return text && /^[1-9]\d{0,17}$/.test(text) ? Number(text) : null;
}
