/**
 * The desktop page's key to its daemon. The daemon prints `http://127.0.0.1:PORT/#token=…`: a
 * fragment never reaches a server or a log. The page keeps it in sessionStorage (this tab
 * only) and takes it out of the address bar so it is not bookmarked or shared by accident.
 */
const KEY = 'poolnet.apiToken';

export function takeDesktopToken(
  location: Pick<Location, 'hash' | 'pathname' | 'search'> = window.location,
  storage: Pick<Storage, 'getItem' | 'setItem'> = window.sessionStorage,
  history: Pick<History, 'replaceState'> = window.history,
): string | null {
  const match = /^#token=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (match?.[1]) {
    storage.setItem(KEY, match[1]);
    history.replaceState(null, '', `${location.pathname}${location.search}`);
    return match[1];
  }
  return storage.getItem(KEY);
}
