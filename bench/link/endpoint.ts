/**
 * One end of a bench:link run, in its own process (started by `main.ts`):
 *
 *   node --import tsx link/endpoint.ts <mode> <sender|receiver> <sizeBytes> <frameBytes> <highWaterBytes>
 *
 * mode: raw-tcp, tcp, webrtc, auto, bare. Talks to the parent in JSON lines (`lines.ts`); the
 * sender reports `{"result":{"ms","connectMs","kind"}}`, timed from its first frame to the
 * receiver's answer that every byte arrived (in order: the receiver checks sequence numbers).
 */
import { bareReceiver, bareSender } from './bare-datachannel.js';
import { linkReceiver, linkSender, type LinkMode } from './engine-link.js';
import { ParentLines, type EndpointArgs } from './lines.js';
import { rawTcpReceiver, rawTcpSender } from './raw-tcp.js';

const [mode, role, size, frame, highWater] = process.argv.slice(2);
const args: EndpointArgs = {
  sizeBytes: Number(size),
  frameBytes: Number(frame),
  highWaterBytes: Number(highWater),
};
const lines = new ParentLines();
const sender = role === 'sender';

try {
  if (mode === 'raw-tcp') await (sender ? rawTcpSender(lines, args) : rawTcpReceiver(lines, args));
  else if (mode === 'bare') await (sender ? bareSender(lines, args) : bareReceiver(lines, args));
  else if (mode === 'tcp' || mode === 'webrtc' || mode === 'auto') {
    const linkMode: LinkMode = mode;
    await (sender ? linkSender(lines, args, linkMode) : linkReceiver(lines, args, linkMode));
  } else throw new Error(`unknown mode ${mode}`);
  if (sender) process.exit(0);
} catch (error) {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
}
