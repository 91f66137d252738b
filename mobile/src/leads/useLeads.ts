import { useCallback, useEffect, useRef, useState } from 'react';

import { ApiError } from '../api/client';
import type { ForYouApi } from '../api/endpoints';
import type { Lead, LeadSort, SyncState } from '../api/types';
import { LOG, log } from '../log';
import { DEFAULT_SORT, toLeadsQuery, type LeadFilters } from './filters';

export type LeadsPhase = 'idle' | 'loading' | 'ready' | 'error';

export interface LeadsState {
  phase: LeadsPhase;
  items: Lead[];
  page: number;
  total: number;
  hasMore: boolean;
  sync: SyncState | null;
  error: ApiError | null;
  refreshing: boolean;
  loadingMore: boolean;
}

const INITIAL: LeadsState = {
  phase: 'idle',
  items: [],
  page: 0,
  total: 0,
  hasMore: false,
  sync: null,
  error: null,
  refreshing: false,
  loadingMore: false,
};

function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', error instanceof Error ? error.message : String(error));
}

export interface LeadsRequest {
  filters: LeadFilters;
  sort?: LeadSort;
  /** Only a connected account has leads; while false the list is empty and nothing is requested. */
  enabled: boolean;
  /** Bump to reload page 1 with the same filters (after a connect or a finished sync). */
  reloadKey?: number;
}

/**
 * Leads list with pagination. Reloads from page 1 whenever the filters, the sort or `reloadKey`
 * change (while enabled); stale responses (older filters or sort) are dropped.
 */
export function useLeads(api: Pick<ForYouApi, 'listLeads'>, { filters, sort = DEFAULT_SORT, enabled, reloadKey = 0 }: LeadsRequest) {
  const [state, setState] = useState<LeadsState>(INITIAL);
  const generation = useRef(0);
  const stateRef = useRef(state);
  stateRef.current = state;

  const loadPage = useCallback(
    async (page: number, mode: 'initial' | 'refresh' | 'more') => {
      const gen = mode === 'more' ? generation.current : ++generation.current;
      setState((s) => ({
        ...s,
        phase: mode === 'initial' ? 'loading' : s.phase,
        refreshing: mode === 'refresh',
        loadingMore: mode === 'more',
        error: mode === 'more' ? s.error : null,
      }));
      try {
        const result = await api.listLeads(toLeadsQuery(filters, { page, sort }));
        if (gen !== generation.current) return;
        log(LOG.leadsLoaded, { page: result.page, count: result.items.length, total: result.total });
        setState((s) => ({
          phase: 'ready',
          items: page === 1 ? result.items : dedupe([...s.items, ...result.items]),
          page: result.page,
          total: result.total,
          hasMore: result.hasMore,
          sync: result.sync ?? null,
          error: null,
          refreshing: false,
          loadingMore: false,
        }));
      } catch (error) {
        if (gen !== generation.current) return;
        setState((s) => ({
          ...s,
          phase: mode === 'more' && s.items.length ? s.phase : 'error',
          error: toApiError(error),
          refreshing: false,
          loadingMore: false,
        }));
      }
    },
    [api, filters, sort],
  );

  useEffect(() => {
    if (!enabled) {
      generation.current++;
      setState(INITIAL);
      return;
    }
    void loadPage(1, 'initial');
  }, [enabled, loadPage, reloadKey]);

  const refresh = useCallback(() => {
    if (enabled) void loadPage(1, 'refresh');
  }, [enabled, loadPage]);

  const loadMore = useCallback(() => {
    const s = stateRef.current;
    if (!enabled || s.phase !== 'ready' || !s.hasMore || s.loadingMore || s.refreshing) return;
    void loadPage(s.page + 1, 'more');
  }, [enabled, loadPage]);

  return { ...state, refresh, loadMore };
}

function dedupe(items: Lead[]): Lead[] {
  const seen = new Set<number>();
  return items.filter((item) => (seen.has(item.id) ? false : (seen.add(item.id), true)));
}

export type LeadsHandle = ReturnType<typeof useLeads>;
