import { useEffect, useState } from 'react';

import type { ForYouApi } from '../api/endpoints';
import type { PipelinesResult } from '../api/types';

/**
 * Pipelines, their stages and the responsible users, for the filter choices. Read while
 * connected and again on every `reloadKey` (after a connect or a sync: a fresh mirror may have
 * had no pipelines yet). A failure leaves the choices empty; the list itself still works.
 */
export function usePipelines(api: Pick<ForYouApi, 'getPipelines'>, connected: boolean, reloadKey = 0): PipelinesResult | null {
  const [pipelines, setPipelines] = useState<PipelinesResult | null>(null);
  useEffect(() => {
    if (!connected) {
      setPipelines(null);
      return;
    }
    let cancelled = false;
    api.getPipelines().then(
      (p) => !cancelled && setPipelines(p),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [api, connected, reloadKey]);
  return pipelines;
}
