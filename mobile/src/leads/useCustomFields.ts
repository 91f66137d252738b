import { useEffect, useState } from 'react';

import type { ForYouApi } from '../api/endpoints';
import type { FilterField } from '../api/types';

/**
 * The lead fields the list filters by (`GET /api/amo-crm/custom-fields`), read while connected
 * and again on every `reloadKey`. A failure leaves none; the other filters still work.
 */
export function useCustomFields(api: Pick<ForYouApi, 'getCustomFields'>, connected: boolean, reloadKey = 0): FilterField[] {
  const [fields, setFields] = useState<FilterField[]>([]);
  useEffect(() => {
    if (!connected) {
      setFields([]);
      return;
    }
    let cancelled = false;
    api.getCustomFields().then(
      (r) => !cancelled && setFields(r.fields ?? []),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [api, connected, reloadKey]);
  return fields;
}
