/** Says what is unreachable (the daemon, or the server and peers) while it is. */
export function ReconnectBanner({
  daemonUp,
  serverUp,
  hasPools,
  mode,
}: {
  daemonUp: boolean;
  serverUp: boolean;
  hasPools: boolean;
  mode: 'desktop' | 'browser';
}) {
  let text: string | null = null;
  if (!daemonUp) {
    text =
      mode === 'desktop'
        ? 'Lost the connection to the Poolnet daemon. Reconnecting…'
        : 'The node in this page stopped. Reconnecting…';
  } else if (hasPools && !serverUp) {
    text = 'Cannot reach the sync server or the other devices. Retrying…';
  }
  if (text === null) return null;
  return (
    <div className="banner" role="status" aria-live="polite">
      {text}
    </div>
  );
}
