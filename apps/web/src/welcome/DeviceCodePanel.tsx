/** A code and QR code another device can use to join this account. */
import { QRCodeSVG } from 'qrcode.react';
import { useState } from 'react';
import type { DeviceCode } from '../api/backend.js';
import { useBackend } from '../app/backend-context.js';
import { ErrorText } from '../app/ErrorText.js';
import { useAction } from '../app/use-action.js';
import { formatTime } from '../format.js';

export function DeviceCodePanel() {
  const backend = useBackend();
  const [code, setCode] = useState<DeviceCode | null>(null);
  const make = useAction(async () => setCode(await backend.deviceCode()));
  return (
    <section className="card" aria-label="Add a device">
      <h2>Add another device</h2>
      <p className="muted">
        On the other device choose “Link this device” and type the code, or scan it.
      </p>
      <button type="button" onClick={() => void make.run()} disabled={make.busy}>
        Show a code
      </button>
      <ErrorText error={make.error} />
      {code ? (
        <div className="device-code">
          <p className="code" data-testid="device-code">
            {code.code}
          </p>
          <QRCodeSVG value={code.qrPayload} size={160} aria-label="Device code QR" />
          <p className="muted">Valid until {formatTime(code.expiresAt)}</p>
        </div>
      ) : null}
    </section>
  );
}
