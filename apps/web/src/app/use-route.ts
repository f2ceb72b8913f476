/**
 * The few screens as paths (so reload and the back button work): `/` pools, `/pools/ID`,
 * `/settings`, `/transfers`, and `/join#TOKEN` for an opened invite link.
 */
import { useCallback, useEffect, useState } from 'react';

export type Route =
  | { name: 'pools' }
  | { name: 'pool'; pool: string; tab: 'chat' | 'files' | 'people' }
  | { name: 'settings' }
  | { name: 'transfers' }
  | { name: 'join'; link: string };

export function parseRoute(location: Pick<Location, 'pathname' | 'hash' | 'href'>): Route {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (path === '/join' && location.hash.length > 1 && !location.hash.startsWith('#token=')) {
    return { name: 'join', link: location.href };
  }
  const pool = /^\/pools\/([^/]+)(?:\/(files|people))?$/.exec(path);
  if (pool?.[1]) {
    const tab = (pool[2] ?? 'chat') as 'chat' | 'files' | 'people';
    return { name: 'pool', pool: decodeURIComponent(pool[1]), tab };
  }
  if (path === '/settings') return { name: 'settings' };
  if (path === '/transfers') return { name: 'transfers' };
  return { name: 'pools' };
}

export function routePath(route: Route): string {
  switch (route.name) {
    case 'pool':
      return `/pools/${encodeURIComponent(route.pool)}${route.tab === 'chat' ? '' : `/${route.tab}`}`;
    case 'settings':
      return '/settings';
    case 'transfers':
      return '/transfers';
    default:
      return '/';
  }
}

export function useRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location));
  useEffect(() => {
    const onPop = () => setRoute(parseRoute(window.location));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((next: Route) => {
    window.history.pushState(null, '', routePath(next));
    setRoute(next);
  }, []);
  return [route, navigate];
}
