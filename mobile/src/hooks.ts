/** Small React helpers shared by the screen hooks. */
import { useEffect, useRef, type RefObject } from 'react';

/** `.current` is false once the component unmounted: late async results are then dropped. */
export function useMounted(): RefObject<boolean> {
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  return mounted;
}

/**
 * The newest value of a callback prop, without making effects that call it re-run (and, for the
 * polling and the completion subscription, restart) whenever the parent renders a new closure.
 */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}
